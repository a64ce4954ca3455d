/* Fuzz the mote.conf parser (tools/mote/conf.c) with arbitrary files. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
    char p[96];
    snprintf(p, sizeof(p), "%s/main.c", dir);
    unlink(p);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        /* Sources are checked against a directory: one with main.c. */
        strcpy(dir, "/tmp/fuzz_spt_conf.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        char p[96];
        snprintf(p, sizeof(p), "%s/main.c", dir);
        FILE *c = fopen(p, "w");
        if (!c)
            abort();
        fclose(c);
        atexit(cleanup);
    }
    if (size == 0)
        return 0;
    char *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    FILE *f = fmemopen(copy, size, "r");
    if (!f) {
        free(copy);
        return 0;
    }
    static struct conf_app app;
    char err[600];
    if (conf_parse(f, "fuzz.conf", dir, &app, err, sizeof(err)) == 0) {
        /* Accepted: what the frontend relies on must hold. */
        if (!app.name[0] || app.nsources < 1 ||
            !(app.target_unix || app.target_spt))
            abort();
        for (int i = 0; i < app.nkey; i++) {
            const struct conf_key *k = &app.key[i];
            if (k->type == KEY_NONE || conf_find_key(&app, k->name) != k)
                abort();
            if (k->has_def && conf_check_value(k, k->def))
                abort();
            conf_check_value(k, "1.2.3.4:80");
            conf_check_value(k, "[::1]:0");
        }
    } else if (!strchr(err, ':')) {
        abort(); /* every error names the file and line */
    }
    fclose(f);
    free(copy);
    return 0;
}
