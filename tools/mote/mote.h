/* mote: the configure/build/run frontend; shared declarations. */
#ifndef MOTE_TOOL_H
#define MOTE_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_MAX_ITEMS 32
#define CONF_LINE_MAX  512

enum key_type {
    KEY_NONE = 0,
    KEY_STRING,   /* any text without newlines */
    KEY_UINT,     /* decimal, 0..max */
    KEY_BOOL,     /* yes or no */
    KEY_ENDPOINT, /* ADDR:PORT, [V6]:PORT, *:PORT */
};

struct conf_key {
    char name[64];
    enum key_type type;
    char def[256]; /* "" when there is no default */
    bool has_def;
    bool repeat;
    unsigned long long max;
    char doc[256];
};

struct conf_device {
    char name[32];
    char kind[16]; /* "stack", "block" */
    char doc[256];
};

/* An app's mote.conf. */
struct conf_app {
    char dir[4096];
    char name[64];
    char doc[256];
    char sources[CONF_MAX_ITEMS][128];
    int nsources;
    bool target_unix, target_spt;
    struct conf_device dev[CONF_MAX_ITEMS];
    int ndev;
    struct conf_key key[CONF_MAX_ITEMS];
    int nkey;
};

/* Parse DIR/mote.conf. Returns 0, or -1 after writing "FILE:LINE: what"
 * into err (size errsz). */
int conf_load(const char *dir, struct conf_app *app, char *err, size_t errsz);

/* The same from an open stream; file names it in messages, dir is where
 * the sources are checked. Does not close f. */
int conf_parse(FILE *f, const char *file, const char *dir, struct conf_app *app,
               char *err, size_t errsz);

const struct conf_key *conf_find_key(const struct conf_app *app,
                                     const char *name);

/* Check value against k's type. Returns NULL, or why it is bad. */
const char *conf_check_value(const struct conf_key *k, const char *value);

const char *conf_type_name(enum key_type t);

#endif
