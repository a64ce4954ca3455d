/* mote: configure, build, run and clean an app for the unix or spt target. */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mote.h"

/*
 * `mote configure` reads the app's mote.conf, checks every option against
 * it and writes the configuration to $ROOT/_build/mote/state; `build`,
 * `run` and `clean` act on that state ($MOTE_STATE names another file).
 * ROOT is the Mote tree this binary was built in ($ROOT/_build/bin/mote),
 * or $MOTE_ROOT.
 *
 * The glue is the command line: the state says which backend fills each
 * device (unix: the host socket stack; spt: the direct stack over a TAP
 * handed in by mote-spt) and which runtime keys become which --KEY=VALUE
 * arguments. The app parses those itself, identically on both targets, so
 * its sources never change between them.
 */

#define MAX_ARGS 256

struct state {
    char target[8]; /* "unix" or "spt" */
    char app[PATH_MAX];
    unsigned mem; /* spt: MiB */
    int slots;    /* spt: --stack-slots, -1 for the tender's default */
    char tap[IFNAMSIZ];
    char ipv4[64], gateway[64];
    char blocks[CONF_MAX_ITEMS][PATH_MAX + 40]; /* NAME=PATH */
    int nblocks;
    char keys[MAX_ARGS][300]; /* KEY=VALUE, in order given */
    int nkeys;
};

static char root[PATH_MAX];

static void find_root(void)
{
    const char *env = getenv("MOTE_ROOT");
    if (env && *env) {
        if (!realpath(env, root))
            err(2, "MOTE_ROOT=%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = 0;
        /* $ROOT/_build/bin/mote */
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = 0;
        }
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof(probe), "%s/mk/spt.mk", exe);
        if (access(probe, R_OK) == 0) {
            strcpy(root, exe);
            return;
        }
    }
    errx(2, "cannot find the Mote tree (set MOTE_ROOT)");
}

/* $MOTE_STATE names another state file (tests use their own). */
static void state_path(char *out, size_t size)
{
    const char *env = getenv("MOTE_STATE");
    if (env && *env)
        snprintf(out, size, "%s", env);
    else
        snprintf(out, size, "%s/_build/mote/state", root);
}

static void usage_keys(const struct conf_app *app)
{
    printf("\nRuntime keys of %s (%s):\n", app->name, app->doc);
    if (!app->nkey)
        printf("  (none)\n");
    for (int i = 0; i < app->nkey; i++) {
        const struct conf_key *k = &app->key[i];
        char left[128];
        snprintf(left, sizeof(left), "--%s=%s%s", k->name,
                 conf_type_name(k->type), k->repeat ? " (repeatable)" : "");
        printf("  %-34s %s\n", left, k->doc);
        if (k->has_def)
            printf("  %-34s default: %s\n", "", k->def);
        else
            printf("  %-34s default: unset\n", "");
    }
    printf("\nDevices:\n");
    for (int i = 0; i < app->ndev; i++)
        printf("  %-12s %-6s %s\n", app->dev[i].name, app->dev[i].kind,
               app->dev[i].doc);
}

static void load_app(const char *dir, struct conf_app *app)
{
    char e[600];
    if (conf_load(dir, app, e, sizeof(e)) != 0)
        errx(2, "%s", e);
}

/* Check and record one runtime key (KEY=VALUE, the leading -- removed). */
static void add_key(struct state *st, const struct conf_app *app,
                    const char *kv)
{
    const char *eq = strchr(kv, '=');
    char name[64];
    size_t n = eq ? (size_t)(eq - kv) : strlen(kv);
    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, kv, n);
    name[n] = 0;
    const struct conf_key *k = conf_find_key(app, name);
    if (!k) {
        char list[1024] = "";
        for (int i = 0; i < app->nkey; i++) {
            strncat(list, i ? ", --" : "--", sizeof(list) - strlen(list) - 1);
            strncat(list, app->key[i].name, sizeof(list) - strlen(list) - 1);
        }
        errx(2, "unknown key --%s for %s (its keys: %s; see --help)", name,
             app->name, app->nkey ? list : "none");
    }
    if (!eq)
        errx(2, "--%s: want --%s=VALUE (%s)", name, name,
             conf_type_name(k->type));
    const char *why = conf_check_value(k, eq + 1);
    if (why)
        errx(2, "--%s=%s: %s", name, eq + 1, why);
    if (!k->repeat) /* a later value replaces an earlier one */
        for (int i = 0; i < st->nkeys; i++)
            if (strncmp(st->keys[i], name, n) == 0 && st->keys[i][n] == '=')
                st->keys[i][0] = 0;
    if (st->nkeys == MAX_ARGS || strlen(kv) >= sizeof(st->keys[0]))
        errx(2, "--%s: too many or too long runtime keys", name);
    strcpy(st->keys[st->nkeys++], kv);
}

static void write_state(const struct state *st)
{
    char dir[PATH_MAX + 16], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
    state_path(path, sizeof(path));
    if (!getenv("MOTE_STATE") || !*getenv("MOTE_STATE")) {
        snprintf(dir, sizeof(dir), "%s/_build", root);
        mkdir(dir, 0777);
        snprintf(dir, sizeof(dir), "%s/_build/mote", root);
        if (mkdir(dir, 0777) < 0 && errno != EEXIST)
            err(1, "%s", dir);
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        err(1, "%s", tmp);
    fprintf(f, "# written by mote configure; edit with mote configure\n");
    fprintf(f, "target %s\napp %s\n", st->target, st->app);
    if (strcmp(st->target, "spt") == 0)
        fprintf(f, "mem %u\nslots %d\ntap %s\nipv4 %s\ngateway %s\n", st->mem,
                st->slots, st->tap, st->ipv4, st->gateway);
    for (int i = 0; i < st->nblocks; i++)
        fprintf(f, "block %s\n", st->blocks[i]);
    for (int i = 0; i < st->nkeys; i++)
        if (st->keys[i][0])
            fprintf(f, "key %s\n", st->keys[i]);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        err(1, "%s", path);
}

static void read_state(struct state *st)
{
    char path[PATH_MAX + 32];
    state_path(path, sizeof(path));
    FILE *f = fopen(path, "r");
    if (!f)
        errx(2, "not configured: run mote configure -t unix|spt APPDIR first");
    memset(st, 0, sizeof(*st));
    st->slots = -1;
    char line[PATH_MAX + 64];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        char *v = strchr(line, ' ');
        if (line[0] == '#' || !v)
            continue;
        *v++ = 0;
        if (strcmp(line, "target") == 0)
            snprintf(st->target, sizeof(st->target), "%s", v);
        else if (strcmp(line, "app") == 0)
            snprintf(st->app, sizeof(st->app), "%s", v);
        else if (strcmp(line, "mem") == 0)
            st->mem = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(line, "slots") == 0)
            st->slots = (int)strtol(v, NULL, 10);
        else if (strcmp(line, "tap") == 0)
            snprintf(st->tap, sizeof(st->tap), "%s", v);
        else if (strcmp(line, "ipv4") == 0)
            snprintf(st->ipv4, sizeof(st->ipv4), "%s", v);
        else if (strcmp(line, "gateway") == 0)
            snprintf(st->gateway, sizeof(st->gateway), "%s", v);
        else if (strcmp(line, "block") == 0 && st->nblocks < CONF_MAX_ITEMS)
            snprintf(st->blocks[st->nblocks++], sizeof(st->blocks[0]), "%s", v);
        else if (strcmp(line, "key") == 0 && st->nkeys < MAX_ARGS)
            snprintf(st->keys[st->nkeys++], sizeof(st->keys[0]), "%s", v);
    }
    fclose(f);
    if (strcmp(st->target, "unix") && strcmp(st->target, "spt"))
        errx(2, "%s: damaged (no target); run mote configure again", path);
}

static bool has_device(const struct conf_app *app, const char *kind)
{
    for (int i = 0; i < app->ndev; i++)
        if (strcmp(app->dev[i].kind, kind) == 0)
            return true;
    return false;
}

static const char *stack_device(const struct conf_app *app)
{
    for (int i = 0; i < app->ndev; i++)
        if (strcmp(app->dev[i].kind, "stack") == 0)
            return app->dev[i].name;
    return NULL;
}

static const char configure_usage[] =
    "usage: mote configure -t unix|spt [OPTIONS] [--KEY=VALUE]... APPDIR\n"
    "  -t, --target=T        unix (a Linux program) or spt (a sealed\n"
    "                        unikernel image run by mote-spt)\n"
    "  --block:NAME=PATH     back the app's block device NAME with PATH\n"
    "spt only:\n"
    "  --mem=MB              guest memory (default 128)\n"
    "  --stack-slots=N       guarded fiber stacks (mote-spt's default: 64)\n"
    "  --tap=IFACE           TAP interface for the network (default tap0)\n"
    "  --ipv4=ADDR/LEN       the guest's address (default 10.0.0.2/24)\n"
    "  --ipv4-gateway=ADDR   default route (default: none)\n"
    "--KEY=VALUE sets a runtime key of the app (listed with\n"
    "`mote configure --help APPDIR`); `mote run` may override them.\n";

static int cmd_configure(int argc, char **argv)
{
    struct state st;
    memset(&st, 0, sizeof(st));
    st.mem = 128;
    st.slots = -1;
    strcpy(st.tap, "tap0");
    strcpy(st.ipv4, "10.0.0.2/24");
    bool help = false, spt_opt = false;
    const char *appdir = NULL, *target = NULL;
    /* First pass: the app directory and the target, so keys can be checked
     * against the app's mote.conf in the second. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            help = true;
        else if (strcmp(a, "-t") == 0 && i + 1 < argc)
            target = argv[++i];
        else if (strncmp(a, "--target=", 9) == 0)
            target = a + 9;
        else if (a[0] != '-') {
            if (appdir)
                errx(2, "configure: one APPDIR only ('%s' and '%s')", appdir,
                     a);
            appdir = a;
        }
    }
    if (help && !appdir) {
        fputs(configure_usage, stdout);
        return 0;
    }
    if (!appdir)
        errx(2, "configure: no APPDIR given\n%s", configure_usage);
    struct conf_app app;
    load_app(appdir, &app);
    if (help) {
        fputs(configure_usage, stdout);
        usage_keys(&app);
        return 0;
    }
    if (!target)
        errx(2, "configure: no target (-t unix or -t spt)");
    if (strcmp(target, "unix") && strcmp(target, "spt"))
        errx(2, "configure: unknown target '%s' (want unix or spt)", target);
    if ((strcmp(target, "spt") == 0 && !app.target_spt) ||
        (strcmp(target, "unix") == 0 && !app.target_unix))
        errx(2,
             "configure: %s does not support the %s target (mote.conf "
             "targets)",
             app.name, target);
    strcpy(st.target, target);
    if (!realpath(appdir, st.app))
        err(2, "%s", appdir);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-t") == 0) {
            i++;
        } else if (strncmp(a, "--target=", 9) == 0 || a[0] != '-') {
            continue;
        } else if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            unsigned long v = strtoul(a + 6, &end, 10);
            if (a[6] < '0' || a[6] > '9' || *end || v < 4 || v > 65536)
                errx(2, "%s: want MiB, 4 to 65536", a);
            st.mem = (unsigned)v;
            spt_opt = true;
        } else if (strncmp(a, "--stack-slots=", 14) == 0) {
            char *end;
            unsigned long v = strtoul(a + 14, &end, 10);
            if (a[14] < '0' || a[14] > '9' || *end || v > 4096)
                errx(2, "%s: want 0 to 4096", a);
            st.slots = (int)v;
            spt_opt = true;
        } else if (strncmp(a, "--tap=", 6) == 0) {
            if (!a[6] || strlen(a + 6) >= IFNAMSIZ || strchr(a + 6, '/') ||
                strchr(a + 6, ' '))
                errx(2, "%s: want an interface name of 1 to %d bytes", a,
                     IFNAMSIZ - 1);
            strcpy(st.tap, a + 6);
            spt_opt = true;
        } else if (strncmp(a, "--ipv4=", 7) == 0) {
            const char *slash = strchr(a + 7, '/');
            if (!slash || snprintf(st.ipv4, sizeof(st.ipv4), "%s", a + 7) >=
                              (int)sizeof(st.ipv4))
                errx(2, "%s: want ADDR/LEN", a);
            struct conf_key k = {.type = KEY_ENDPOINT};
            char ep[80];
            snprintf(ep, sizeof(ep), "%.*s:0", (int)(slash - a - 7), a + 7);
            char *end;
            unsigned long len = strtoul(slash + 1, &end, 10);
            if (conf_check_value(&k, ep) || slash[1] < '0' || slash[1] > '9' ||
                *end || len > 32)
                errx(2, "%s: want an IPv4 ADDR/LEN, LEN at most 32", a);
            spt_opt = true;
        } else if (strncmp(a, "--ipv4-gateway=", 15) == 0) {
            struct conf_key k = {.type = KEY_ENDPOINT};
            char ep[80];
            snprintf(ep, sizeof(ep), "%.60s:0", a + 15);
            if (!a[15] || strchr(a + 15, ':') || conf_check_value(&k, ep))
                errx(2, "%s: want an IPv4 address", a);
            snprintf(st.gateway, sizeof(st.gateway), "%s", a + 15);
            spt_opt = true;
        } else if (strncmp(a, "--block:", 8) == 0) {
            const char *eq = strchr(a, '=');
            if (!eq || eq == a + 8 || !eq[1])
                errx(2, "%s: want --block:NAME=PATH", a);
            bool known = false;
            for (int d = 0; d < app.ndev; d++)
                known |=
                    strcmp(app.dev[d].kind, "block") == 0 &&
                    strlen(app.dev[d].name) == (size_t)(eq - a - 8) &&
                    strncmp(app.dev[d].name, a + 8, (size_t)(eq - a - 8)) == 0;
            if (!known)
                errx(2, "%s: %s has no block device of that name", a, app.name);
            if (st.nblocks == CONF_MAX_ITEMS ||
                strlen(a + 8) >= sizeof(st.blocks[0]))
                errx(2, "%s: too many or too long", a);
            strcpy(st.blocks[st.nblocks++], a + 8);
        } else if (strncmp(a, "--", 2) == 0 && a[2]) {
            add_key(&st, &app, a + 2);
        } else {
            errx(2, "configure: unknown option '%s'\n%s", a, configure_usage);
        }
    }
    if (spt_opt && strcmp(target, "spt") != 0)
        errx(2, "configure: --mem, --stack-slots, --tap and --ipv4* apply to "
                "-t spt only");
    for (int d = 0; d < app.ndev; d++) {
        if (strcmp(app.dev[d].kind, "block") != 0)
            continue;
        if (strcmp(target, "unix") == 0)
            errx(2,
                 "configure: block device '%s': the unix backend opens "
                 "block devices by path and cannot map names yet",
                 app.dev[d].name);
        bool given = false;
        for (int b = 0; b < st.nblocks; b++)
            given |= strncmp(st.blocks[b], app.dev[d].name,
                             strlen(app.dev[d].name)) == 0 &&
                     st.blocks[b][strlen(app.dev[d].name)] == '=';
        if (!given)
            errx(2, "configure: %s needs its block device: --block:%s=PATH",
                 app.name, app.dev[d].name);
    }
    write_state(&st);
    printf("configured %s for %s", app.name, st.target);
    if (strcmp(st.target, "spt") == 0 && has_device(&app, "stack"))
        printf(": network '%s' on TAP %s, %s%s%s, %u MiB", stack_device(&app),
               st.tap, st.ipv4, st.gateway[0] ? " via " : "", st.gateway,
               st.mem);
    printf("\nnext: mote build && mote run\n");
    return 0;
}

static int run_wait(char *const *args)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        err(1, "fork");
    if (pid == 0) {
        execvp(args[0], args);
        err(127, "%s", args[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            err(1, "waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void output_path(const struct state *st, const struct conf_app *app,
                        char *out, size_t size, bool relative)
{
    const char *pre = relative ? "" : root;
    const char *sep = relative ? "" : "/";
    int n;
    if (strcmp(st->target, "spt") == 0)
        n = snprintf(out, size, "%s%s_build/spt/bin/%s.spt", pre, sep,
                     app->name);
    else
        n = snprintf(out, size, "%s%s_build/bin/%s", pre, sep, app->name);
    if (n < 0 || (size_t)n >= size)
        errx(2, "%s: path too long", root);
}

/* The apps the Makefile knows are the directories under $ROOT/apps. */
static void check_in_tree(const struct state *st, const struct conf_app *app)
{
    char want[PATH_MAX + 80];
    snprintf(want, sizeof(want), "%s/apps/%s", root, app->name);
    char real[PATH_MAX];
    if (!realpath(want, real) || strcmp(real, st->app) != 0)
        errx(2,
             "%s: mote builds apps inside its tree, as %s (the directory "
             "name must be the app's name)",
             st->app, want);
}

static int cmd_build(int argc, char **argv)
{
    struct state st;
    read_state(&st);
    struct conf_app app;
    load_app(st.app, &app);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: mote build\n  build the configured app (%s for "
                   "%s)\n",
                   app.name, st.target);
            usage_keys(&app);
            return 0;
        }
        errx(2, "build: unknown option '%s'", argv[i]);
    }
    check_in_tree(&st, &app);
    char out[PATH_MAX];
    output_path(&st, &app, out, sizeof(out), true);
    char *args[] = {
        "make", "-C",
        root,   "--no-print-directory",
        out,    strcmp(st.target, "spt") == 0 ? "_build/bin/mote-spt" : NULL,
        NULL};
    int rc = run_wait(args);
    if (rc == 0)
        printf("built %s/%s\n", root, out);
    return rc;
}

static bool is_root(void)
{
    return geteuid() == 0;
}

/* The host side of the guest's network: the first address of its prefix
 * that is not the guest's own. */
static void host_addr(const char *ipv4, char *out, size_t size)
{
    unsigned a, b, c, d, len;
    if (sscanf(ipv4, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len) != 5) {
        snprintf(out, size, "10.0.0.1/24");
        return;
    }
    unsigned long ip = (a << 24) | (b << 16) | (c << 8) | d;
    unsigned long mask = len ? 0xffffffffUL << (32 - len) & 0xffffffffUL : 0;
    unsigned long h = (ip & mask) + 1;
    if (h == ip)
        h++;
    snprintf(out, size, "%lu.%lu.%lu.%lu/%u", h >> 24, (h >> 16) & 255,
             (h >> 8) & 255, h & 255, len);
}

static int ensure_tap(const struct state *st)
{
    if (if_nametoindex(st->tap) != 0)
        return 0;
    char host[40];
    host_addr(st->ipv4, host, sizeof(host));
    char *cmds[3][9] = {
        {"ip", "tuntap", "add", "dev", (char *)st->tap, "mode", "tap", NULL},
        {"ip", "addr", "add", host, "dev", (char *)st->tap, NULL},
        {"ip", "link", "set", "dev", (char *)st->tap, "up", NULL},
    };
    if (!is_root()) {
        fprintf(stderr,
                "mote: TAP interface %s does not exist; as root, run:\n",
                st->tap);
        for (int i = 0; i < 3; i++) {
            fputs("  ", stderr);
            for (int j = 0; cmds[i][j]; j++)
                fprintf(stderr, "%s%s", j ? " " : "", cmds[i][j]);
            fputs("\n", stderr);
        }
        fprintf(stderr, "then mote run again.\n");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        printf("+");
        for (int j = 0; cmds[i][j]; j++)
            printf(" %s", cmds[i][j]);
        printf("\n");
        if (run_wait(cmds[i]) != 0)
            errx(1, "setting up %s failed", st->tap);
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    struct state st;
    read_state(&st);
    struct conf_app app;
    load_app(st.app, &app);
    bool dry = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            printf("usage: mote run [--dry-run] [--KEY=VALUE]...\n"
                   "  run the configured app (%s for %s); keys override "
                   "those given to configure\n",
                   app.name, st.target);
            usage_keys(&app);
            return 0;
        }
        if (strcmp(a, "--dry-run") == 0)
            dry = true;
        else if (strncmp(a, "--", 2) == 0 && a[2])
            add_key(&st, &app, a + 2);
        else
            errx(2, "run: unknown argument '%s'", a);
    }
    static char *args[MAX_ARGS * 2];
    static char bufs[MAX_ARGS * 2][PATH_MAX + 64];
    int n = 0;
#define ADD(...)                                                               \
    do {                                                                       \
        if (n + 1 >= MAX_ARGS * 2)                                             \
            errx(2, "run: too many arguments");                                \
        snprintf(bufs[n], sizeof(bufs[n]), __VA_ARGS__);                       \
        args[n] = bufs[n];                                                     \
        n++;                                                                   \
    } while (0)
    char image[PATH_MAX];
    output_path(&st, &app, image, sizeof(image), false);
    if (access(image, X_OK) != 0 && !dry)
        errx(2, "%s: not built yet: run mote build", image);
    bool spt = strcmp(st.target, "spt") == 0;
    if (spt) {
        ADD("%s/_build/bin/mote-spt", root);
        ADD("--mem=%u", st.mem);
        if (st.slots >= 0)
            ADD("--stack-slots=%d", st.slots);
        if (stack_device(&app))
            ADD("--net:%s=%s", stack_device(&app), st.tap);
        for (int i = 0; i < st.nblocks; i++)
            ADD("--block:%s", st.blocks[i]);
        ADD("%s", image);
        if (stack_device(&app)) {
            ADD("--ipv4=%s", st.ipv4);
            if (st.gateway[0])
                ADD("--ipv4-gateway=%s", st.gateway);
        }
    } else {
        ADD("%s", image);
    }
    /* Runtime keys: each given value; else the default; bool: --KEY. */
    for (int k = 0; k < app.nkey; k++) {
        const struct conf_key *key = &app.key[k];
        size_t len = strlen(key->name);
        bool given = false;
        for (int i = 0; i < st.nkeys; i++) {
            if (strncmp(st.keys[i], key->name, len) || st.keys[i][len] != '=')
                continue;
            given = true;
            if (key->type == KEY_BOOL) {
                if (strcmp(st.keys[i] + len + 1, "yes") == 0)
                    ADD("--%s", key->name);
            } else {
                ADD("--%s", st.keys[i]);
            }
        }
        if (!given && key->has_def) {
            if (key->type != KEY_BOOL)
                ADD("--%s=%s", key->name, key->def);
            else if (strcmp(key->def, "yes") == 0)
                ADD("--%s", key->name);
        }
    }
    args[n] = NULL;
    if (dry) {
        for (int i = 0; i < n; i++)
            printf("%s%s", i ? " " : "", args[i]);
        printf("\n");
        return 0;
    }
    if (spt && stack_device(&app) && ensure_tap(&st) != 0)
        return 1;
    printf("+");
    for (int i = 0; i < n; i++)
        printf(" %s", args[i]);
    printf("\n");
    fflush(stdout);
    execv(args[0], args);
    err(127, "%s", args[0]);
}

static int cmd_clean(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: mote clean\n  remove the configured app's build "
                   "output and the configuration\n");
            return 0;
        }
        errx(2, "clean: unknown option '%s'", argv[i]);
    }
    char path[PATH_MAX + 32];
    state_path(path, sizeof(path));
    struct state st;
    if (access(path, F_OK) != 0) {
        printf("nothing configured\n");
        return 0;
    }
    read_state(&st);
    struct conf_app app;
    load_app(st.app, &app);
    char out[PATH_MAX];
    output_path(&st, &app, out, sizeof(out), false);
    if (unlink(out) < 0 && errno != ENOENT)
        err(1, "%s", out);
    if (unlink(path) < 0)
        err(1, "%s", path);
    printf("removed %s and the configuration\n", out);
    return 0;
}

/* `mote serve ARGS`: the static file server (apps/serve) on this host, no
 * configuration step: a unix program run straight from the build. */
static int cmd_serve(int argc, char **argv)
{
    char prog[PATH_MAX + 32];
    snprintf(prog, sizeof(prog), "%s/_build/bin/serve", root);
    if (access(prog, X_OK) != 0)
        errx(2, "%s: not built (run make in %s)", prog, root);
    argv[0] = prog; /* serve's own --help documents its options */
    (void)argc;
    execv(prog, argv);
    err(127, "%s", prog);
}

/* `mote cert ...`: keys and certificates (tools/mote/cert, built with
 * libmote as $ROOT/_build/bin/mote-cert; its own --help documents it). */
static int cmd_cert(int argc, char **argv)
{
    char prog[PATH_MAX + 32];
    snprintf(prog, sizeof(prog), "%s/_build/bin/mote-cert", root);
    if (access(prog, X_OK) != 0)
        errx(2, "%s: not built (run make in %s)", prog, root);
    argv[0] = prog;
    (void)argc;
    execv(prog, argv);
    err(127, "%s", prog);
}

/* `mote get [OPTIONS] URL`: the HTTP(S) client (apps/get), as serve. */
static int cmd_get(int argc, char **argv)
{
    char prog[PATH_MAX + 32];
    snprintf(prog, sizeof(prog), "%s/_build/bin/get", root);
    if (access(prog, X_OK) != 0)
        errx(2, "%s: not built (run make in %s)", prog, root);
    argv[0] = prog; /* get's own --help documents its options */
    (void)argc;
    execv(prog, argv);
    err(127, "%s", prog);
}

static const char usage[] =
    "usage: mote COMMAND [ARGS]\n"
    "  configure -t unix|spt [OPTIONS] APPDIR   choose target and settings\n"
    "  build                                    build the configured app\n"
    "  run [--KEY=VALUE]...                     run it\n"
    "  clean                                    remove output and settings\n"
    "  serve [--listen=ADDR:PORT]... [-p PORT] [--browse] [--tls] [DIR]\n"
    "                                           serve DIR over HTTP(S) (unix)\n"
    "  cert new|csr|sign|show [OPTIONS]         keys and certificates\n"
    "  get [--cacert F] [-k] [-o F] [-I] URL    fetch over HTTP(S) (unix)\n"
    "`mote COMMAND --help` lists each command's options and the app's "
    "runtime keys.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    find_root();
    const char *c = argv[1];
    if (strcmp(c, "configure") == 0)
        return cmd_configure(argc - 1, argv + 1);
    if (strcmp(c, "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(c, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(c, "clean") == 0)
        return cmd_clean(argc - 1, argv + 1);
    if (strcmp(c, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(c, "cert") == 0)
        return cmd_cert(argc - 1, argv + 1);
    if (strcmp(c, "get") == 0)
        return cmd_get(argc - 1, argv + 1);
    errx(2, "unknown command '%s'\n%s", c, usage);
}
