/* mote-spt: load an spt image into this process, seal it with seccomp, run it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "spt_abi.h"
#include "tender.h"

/*
 * Order of work, so that nothing the guest controls is trusted and every
 * option is checked before anything is done with it:
 *
 *   1. parse and validate the command line (options, device names);
 *   2. read the image and validate every ELF field used (elf.c);
 *   3. map guest memory at SPT_IMAGE_BASE, copy the segments, protect them;
 *   4. open the devices (a TAP must already exist, a block file must be a
 *      regular file of at least one block);
 *   5. write the boot info and command line into guest memory;
 *   6. install a fault handler (on its own stack) that names guard-page
 *      hits, then the seccomp filter (seccomp.c);
 *   7. switch to the guest's boot stack and call its entry point.
 */

static const char usage[] =
    "usage: mote-spt [--mem=MB] [--net:NAME=TAP]... [--block:NAME=PATH]...\n"
    "                IMAGE [ARGS...]\n"
    "  --mem=MB             guest memory in MiB (default 128, 4..65536)\n"
    "  --stack-slots=N      guarded fiber stacks (default 64, at most a\n"
    "                       quarter of memory; more fibers get heap stacks)\n"
    "  --net:NAME=TAP       give the guest the existing TAP interface as its\n"
    "                       network device NAME (e.g. --net:service=tap0)\n"
    "  --block:NAME=PATH    give the guest the file PATH as its block device\n"
    "                       NAME\n"
    "  IMAGE                an spt image (mote build -t spt)\n"
    "  ARGS                 the guest's command line\n";

static struct spt_boot_info boot; /* copied into guest memory at step 5 */

static void add_device(const char *opt, uint32_t kind)
{
    const char *spec = strchr(opt, ':') + 1;
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        errx(2, "%s: want %s:NAME=%s", opt,
             kind == SPT_DEV_NET ? "--net" : "--block",
             kind == SPT_DEV_NET ? "TAP" : "PATH");
    size_t len = (size_t)(eq - spec);
    if (len >= SPT_DEV_NAME_MAX)
        errx(2, "%s: device name longer than %u bytes", opt,
             SPT_DEV_NAME_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if (!(spec[i] == '-' || spec[i] == '_' ||
              (spec[i] >= '0' && spec[i] <= '9') ||
              (spec[i] >= 'a' && spec[i] <= 'z') ||
              (spec[i] >= 'A' && spec[i] <= 'Z')))
            errx(2, "%s: device names use letters, digits, '-' and '_'", opt);
    if (boot.ndevices == SPT_MAX_DEVICES)
        errx(2, "at most %d devices", SPT_MAX_DEVICES);
    for (uint32_t i = 0; i < boot.ndevices; i++)
        if (boot.dev[i].kind == kind &&
            strncmp(boot.dev[i].name, spec, len) == 0 &&
            boot.dev[i].name[len] == 0)
            errx(2, "%s: device name given twice", opt);
    struct spt_device *d = &boot.dev[boot.ndevices++];
    memcpy(d->name, spec, len);
    d->kind = kind;
    d->fd = -1;
    /* The host side (TAP name, path) is kept in a side table until step 4. */
    tender_host_names[boot.ndevices - 1] = eq + 1;
}

const char *tender_host_names[SPT_MAX_DEVICES];

static void open_net(struct spt_device *d, const char *tap)
{
    if (strlen(tap) >= IFNAMSIZ)
        errx(1, "--net:%s=%s: interface name too long", d->name, tap);
    /* TUNSETIFF creates a missing interface when we are privileged; a typo
     * must be an error instead, so the TAP must already exist. */
    if (if_nametoindex(tap) == 0)
        errx(1,
             "--net:%s=%s: no such interface (create it first: ip tuntap "
             "add %s mode tap)",
             d->name, tap, tap);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        err(1, "--net:%s=%s: /dev/net/tun", d->name, tap);
    /* Send offloads for the guest (SPT_NET_VNET in spt_abi.h) where the
     * host has IFF_VNET_HDR, unless MOTE_TAP_OFFLOAD=0; receive offloads
     * stay off (TUNSETOFFLOAD 0, also clearing what an earlier user of the
     * TAP left on), since the guest cannot ask for them under the filter. */
    const char *env = getenv("MOTE_TAP_OFFLOAD");
    unsigned int features = 0;
    bool vnet = ioctl(fd, TUNGETFEATURES, &features) == 0 &&
                (features & IFF_VNET_HDR) && !(env && strcmp(env, "0") == 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
    memcpy(ifr.ifr_name, tap, strlen(tap));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        err(1,
            "--net:%s=%s: attaching to the TAP (is it a TAP, free, and "
            "ours to use?)",
            d->name, tap);
    if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0 && vnet)
        errx(1, "--net:%s=%s: TUNSETOFFLOAD failed (try MOTE_TAP_OFFLOAD=0)",
             d->name, tap);
    d->net_flags = vnet ? SPT_NET_VNET : 0;
    d->mtu = 1500;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
        if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
            d->mtu = (uint32_t)ifr.ifr_mtu;
        close(s);
    }
    /* The guest's MAC: random, locally administered, unicast (the TAP's own
     * MAC belongs to the host side). */
    if (getrandom(d->mac, 6, 0) != 6)
        err(1, "getrandom");
    d->mac[0] = (uint8_t)((d->mac[0] & 0xfe) | 0x02);
    d->fd = fd;
}

static void open_block(struct spt_device *d, const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        err(1, "--block:%s=%s", d->name, path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        err(1, "--block:%s=%s", d->name, path);
    if (!S_ISREG(st.st_mode))
        errx(1, "--block:%s=%s: not a regular file", d->name, path);
    d->block_size = 512;
    d->capacity = (uint64_t)st.st_size / 512 * 512;
    if (d->capacity == 0)
        errx(1, "--block:%s=%s: smaller than one 512-byte block", d->name,
             path);
    d->fd = fd;
}

/* Quote one argument so mote_cmdline_split() gives it back unchanged: a
 * backslash before every blank, quote and backslash. */
static size_t quote_arg(char *out, size_t room, const char *a)
{
    size_t n = 0;
    if (!*a) { /* an empty argument survives as '' */
        if (room < 3)
            errx(2, "guest command line longer than %u bytes",
                 SPT_CMDLINE_MAX - 1);
        memcpy(out, "''", 2);
        return 2;
    }
    for (; *a; a++) {
        bool esc = *a == ' ' || *a == '\t' || *a == '\n' || *a == '\'' ||
                   *a == '"' || *a == '\\';
        if (n + 1 + esc >= room)
            errx(2, "guest command line longer than %u bytes",
                 SPT_CMDLINE_MAX - 1);
        if (esc)
            out[n++] = '\\';
        out[n++] = *a;
    }
    return n;
}

/* The filter lets the guest write to fds 1 and 2 as its console. If we were
 * started with one of them closed, the TAP or block file opened later would
 * take its number and console output would go to the device: make sure
 * 0, 1 and 2 are open (on /dev/null) first. */
static void std_fds(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        int n = open("/dev/null", O_RDWR);
        if (n < 0)
            err(1, "/dev/null");
        if (n != fd)
            errx(1, "descriptor %d closed but /dev/null opened as %d", fd, n);
    }
}

int main(int argc, char **argv)
{
    std_fds();
    uint64_t mem_mb = 128, slots_opt = SPT_DEFAULT_SLOTS;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(a + 6, &end, 10);
            if (a[6] < '0' || a[6] > '9' || *end || errno ||
                v < SPT_MEM_MIN_MB || v > SPT_MEM_MAX_MB)
                errx(2, "%s: want whole MiB, %u to %u", a, SPT_MEM_MIN_MB,
                     SPT_MEM_MAX_MB);
            mem_mb = v;
        } else if (strncmp(a, "--stack-slots=", 14) == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(a + 14, &end, 10);
            if (a[14] < '0' || a[14] > '9' || *end || errno ||
                v > SPT_MAX_SLOTS)
                errx(2, "%s: want 0 to %u", a, SPT_MAX_SLOTS);
            slots_opt = v;
        } else if (strncmp(a, "--net:", 6) == 0) {
            add_device(a, SPT_DEV_NET);
        } else if (strncmp(a, "--block:", 8) == 0) {
            add_device(a, SPT_DEV_BLOCK);
        } else if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else {
            errx(2, "unknown option '%s'\n%s", a, usage);
        }
    }
    if (i >= argc)
        errx(2, "no image given\n%s", usage);
    const char *image = argv[i];

    /* Steps 2 and 3. */
    struct tender_image img;
    tender_load(image, mem_mb << 20, &img);

    /* Step 4. */
    for (uint32_t d = 0; d < boot.ndevices; d++) {
        if (boot.dev[d].kind == SPT_DEV_NET)
            open_net(&boot.dev[d], tender_host_names[d]);
        else
            open_block(&boot.dev[d], tender_host_names[d]);
    }

    /* Step 5: boot info, then the command line, on the first free page. */
    uint64_t mem_end = img.mem_start + img.mem_size;
    uint64_t info_at = img.free_start;
    uint64_t cmd_at = info_at + sizeof(boot);
    uint64_t heap_at =
        (cmd_at + SPT_CMDLINE_MAX + SPT_PAGE - 1) & ~(uint64_t)(SPT_PAGE - 1);
    uint64_t stack_low = mem_end - SPT_STACK_SIZE;
    uint64_t guard = stack_low - SPT_PAGE;
    /* Guarded fiber stack slots: untouched slot pages cost nothing
     * (MAP_NORESERVE), but each costs an mprotect at boot, so the default
     * is modest; at most a quarter of memory. */
    uint64_t slots = slots_opt;
    if (slots * SPT_SLOT_SIZE > img.mem_size / 4)
        slots = img.mem_size / 4 / SPT_SLOT_SIZE;
    uint64_t arena = guard - slots * SPT_SLOT_SIZE;
    if (heap_at + 64 * 1024 > arena)
        errx(1,
             "--mem=%llu: too small for this image (%llu KiB of image "
             "and boot data, %u KiB of boot stack)",
             (unsigned long long)mem_mb,
             (unsigned long long)((heap_at - img.mem_start) >> 10),
             SPT_STACK_SIZE >> 10);
    char *cmd = (char *)(uintptr_t)cmd_at;
    size_t n = 0;
    for (int a = i; a < argc; a++) {
        if (a > i)
            cmd[n++] = ' ';
        /* argv[0] is the image as named on our command line. */
        n += quote_arg(cmd + n, SPT_CMDLINE_MAX - n - 1, argv[a]);
        if (n + 1 >= SPT_CMDLINE_MAX)
            errx(2, "guest command line longer than %u bytes",
                 SPT_CMDLINE_MAX - 1);
    }
    cmd[n] = 0;
    boot.abi_version = SPT_ABI_VERSION;
    boot.mem_start = img.mem_start;
    boot.mem_size = img.mem_size;
    boot.heap_start = heap_at;
    boot.heap_size = arena - heap_at;
    boot.stack_low = stack_low;
    boot.stack_high = mem_end;
    boot.stack_arena = arena;
    boot.stack_slots = slots;
    boot.cmdline = cmd_at;
    boot.cmdline_max = SPT_CMDLINE_MAX;
    memcpy((void *)(uintptr_t)info_at, &boot, sizeof(boot));
    if (mprotect((void *)(uintptr_t)guard, SPT_PAGE, PROT_NONE) < 0)
        err(1, "mprotect");
    for (uint64_t s = 0; s < slots; s++)
        if (mprotect((void *)(uintptr_t)(arena + s * SPT_SLOT_SIZE), SPT_PAGE,
                     PROT_NONE) < 0)
            err(1, "mprotect");

    /* Step 6. */
    tender_fault_handler_install(&boot, guard);
    tender_seccomp_install(&boot);

    /* Step 7: rsp = top of the boot stack (16-aligned), then call, so the
     * entry sees rsp % 16 == 8 as after any call. It never returns. */
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%1\n\t"
                     "ud2"
                     :
                     : "r"(mem_end), "r"(img.entry), "D"(info_at)
                     : "memory");
    __builtin_unreachable();
}
