/* http_fetch: the HTTP client as a command, for the interop tests.
 *
 *   http_fetch [-X METHOD] [-d BODY] [-r REDIRECTS] URL...
 *
 * Fetches each URL in turn with one client (so keep-alive is reused) and
 * prints "STATUS LENGTH REUSED REDIRECTS FNV1A" per URL, FNV1A being a hash
 * of the body, so a script can compare with what curl got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/http.h>
#include <mote/mote.h>

int mote_main(int argc, char **argv)
{
    enum mote_http_method m = MOTE_HTTP_GET;
    const char *body = NULL;
    struct mote_http_client_config cfg = {.timeout_ns = 10 * MOTE_NS_PER_SEC};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 == argc)
            break;
        if (strcmp(argv[i], "-X") == 0) {
            static const char *names[] = {"GET", "HEAD", "POST", "PUT",
                                          "DELETE"};
            static const enum mote_http_method ms[] = {
                MOTE_HTTP_GET, MOTE_HTTP_HEAD, MOTE_HTTP_POST, MOTE_HTTP_PUT,
                MOTE_HTTP_DELETE};
            for (int k = 0; k < 5; k++)
                if (strcmp(argv[i + 1], names[k]) == 0)
                    m = ms[k];
        } else if (strcmp(argv[i], "-d") == 0) {
            body = argv[i + 1];
        } else if (strcmp(argv[i], "-r") == 0) {
            cfg.max_redirects = atoi(argv[i + 1]);
        }
    }
    struct mote_http_client *c;
    if (mote_http_client_new(&cfg, &c))
        return 1;
    int status = 0;
    for (; i < argc; i++) {
        const struct mote_http_client_response *r;
        int err = mote_http_client_request(c, m, argv[i], NULL, body,
                                           body ? strlen(body) : 0, &r);
        if (err) {
            printf("error %s\n", mote_errname(err));
            status = 1;
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ull;
        const uint8_t *p = mote_buf_data(&r->body);
        for (size_t k = 0; k < r->body.len; k++)
            h = (h ^ p[k]) * 0x100000001b3ull;
        printf("%d %zu %d %d %016llx\n", r->head.status, r->body.len, r->reused,
               r->redirects, (unsigned long long)h);
    }
    mote_http_client_free(c);
    return status;
}
