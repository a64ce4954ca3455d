/* mote-spt: validate an spt image's ELF headers and load its segments. */
#define _GNU_SOURCE
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tender.h"

/*
 * What an spt image must be (src/platform/spt/spt.lds makes it so); every
 * field below is checked before it is used, with overflow-safe arithmetic,
 * and the first bad one is named:
 *
 *   e_ident    ELF magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
 *              ELFOSABI_SYSV (0) or ELFOSABI_GNU (3)
 *   e_type     ET_EXEC (static, non-PIE)      e_machine  EM_X86_64
 *   e_version  EV_CURRENT                     e_ehsize   sizeof(Elf64_Ehdr)
 *   e_phentsize sizeof(Elf64_Phdr)            e_phnum    1..MAX_PHDRS
 *   e_phoff    table inside the file, 8-byte aligned
 *   PT_LOAD    offset + filesz inside the file; filesz <= memsz; vaddr and
 *              offset congruent mod the page size; [vaddr, vaddr + memsz)
 *              inside guest memory and not overlapping another PT_LOAD;
 *              never both writable and executable
 *   PT_NOTE    inside the file; one "Mote" note of type SPT_NOTE_ABI with
 *              descriptor SPT_ABI_VERSION must be present
 *   PT_INTERP, PT_DYNAMIC, PT_TLS   refused (dynamic or TLS images)
 *   e_entry    inside an executable PT_LOAD
 */

#define MAX_PHDRS      16
#define MAX_IMAGE_SIZE (512ull << 20)

static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static const char *check_notes(const uint8_t *p, uint64_t len, bool *found)
{
    while (len > 0) {
        if (len < 12)
            return "PT_NOTE: truncated note header";
        uint32_t namesz, descsz, type;
        memcpy(&namesz, p, 4);
        memcpy(&descsz, p + 4, 4);
        memcpy(&type, p + 8, 4);
        uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
        uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;
        if (name_pad > len - 12 || desc_pad > len - 12 - name_pad)
            return "PT_NOTE: note larger than its segment";
        const uint8_t *name = p + 12, *desc = name + name_pad;
        if (namesz == sizeof(SPT_NOTE_NAME) &&
            memcmp(name, SPT_NOTE_NAME, sizeof(SPT_NOTE_NAME)) == 0 &&
            type == SPT_NOTE_ABI) {
            uint32_t v;
            if (descsz != 4)
                return "Mote ABI note: descriptor is not 4 bytes";
            memcpy(&v, desc, 4);
            if (v != SPT_ABI_VERSION)
                return "Mote ABI note: image built for another spt ABI "
                       "version (rebuild it with this tree)";
            *found = true;
        }
        p += 12 + name_pad + desc_pad;
        len -= 12 + name_pad + desc_pad;
    }
    return NULL;
}

const char *tender_elf_check(const uint8_t *file, uint64_t size,
                             uint64_t mem_size, struct tender_image *img)
{
    Elf64_Ehdr eh;
    if (size < sizeof(eh))
        return "file shorter than an ELF header";
    memcpy(&eh, file, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return "not an ELF file (bad magic)";
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return "e_ident: not a 64-bit ELF";
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return "e_ident: not little-endian";
    if (eh.e_ident[EI_VERSION] != EV_CURRENT)
        return "e_ident: unknown ELF version";
    if (eh.e_ident[EI_OSABI] != ELFOSABI_SYSV &&
        eh.e_ident[EI_OSABI] != ELFOSABI_GNU)
        return "e_ident: unexpected OS ABI";
    if (eh.e_type == ET_DYN)
        return "e_type: a PIE or shared object, not a static spt image";
    if (eh.e_type != ET_EXEC)
        return "e_type: not an executable";
    if (eh.e_machine != EM_X86_64)
        return "e_machine: not x86_64";
    if (eh.e_version != EV_CURRENT)
        return "e_version: unknown ELF version";
    if (eh.e_ehsize != sizeof(Elf64_Ehdr))
        return "e_ehsize: wrong ELF header size";
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return "e_phentsize: wrong program header size";
    if (eh.e_phnum == 0 || eh.e_phnum > MAX_PHDRS)
        return "e_phnum: no program headers, or too many";
    if (eh.e_phoff % 8 ||
        !in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), size))
        return "e_phoff: program header table outside the file";

    uint64_t lo = SPT_IMAGE_BASE, hi = SPT_IMAGE_BASE + mem_size;
    uint64_t end = lo;
    bool entry_ok = false, note_ok = false, any_load = false;
    Elf64_Phdr loads[MAX_PHDRS];
    int nloads = 0;
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        switch (ph.p_type) {
        case PT_INTERP:
        case PT_DYNAMIC:
            return "program headers: a dynamically linked image";
        case PT_TLS:
            return "program headers: thread-local storage is not supported";
        case PT_NOTE: {
            if (!in_file(ph.p_offset, ph.p_filesz, size))
                return "PT_NOTE: outside the file";
            const char *e =
                check_notes(file + ph.p_offset, ph.p_filesz, &note_ok);
            if (e)
                return e;
            break;
        }
        case PT_LOAD:
            if (!in_file(ph.p_offset, ph.p_filesz, size))
                return "PT_LOAD: file bytes outside the file";
            if (ph.p_filesz > ph.p_memsz)
                return "PT_LOAD: p_filesz larger than p_memsz";
            if (ph.p_vaddr % SPT_PAGE != ph.p_offset % SPT_PAGE)
                return "PT_LOAD: p_vaddr and p_offset not congruent modulo "
                       "the page size";
            if (ph.p_vaddr < lo || ph.p_vaddr > hi ||
                ph.p_memsz > hi - ph.p_vaddr)
                return "PT_LOAD: segment outside guest memory (image not "
                       "linked for spt, or --mem too small)";
            if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
                return "PT_LOAD: segment both writable and executable";
            for (int j = 0; j < nloads; j++) {
                uint64_t a0 = ph.p_vaddr & ~(uint64_t)(SPT_PAGE - 1);
                uint64_t a1 = ph.p_vaddr + ph.p_memsz;
                uint64_t b0 = loads[j].p_vaddr & ~(uint64_t)(SPT_PAGE - 1);
                uint64_t b1 = loads[j].p_vaddr + loads[j].p_memsz;
                if (a0 < b1 && b0 < a1)
                    return "PT_LOAD: segments share a page";
            }
            loads[nloads++] = ph;
            any_load = true;
            if (ph.p_vaddr + ph.p_memsz > end)
                end = ph.p_vaddr + ph.p_memsz;
            if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr &&
                eh.e_entry < ph.p_vaddr + ph.p_memsz)
                entry_ok = true;
            break;
        default:
            break; /* PT_GNU_STACK and friends: nothing to do */
        }
    }
    if (!any_load)
        return "program headers: nothing to load";
    if (!entry_ok)
        return "e_entry: not inside an executable segment";
    if (!note_ok)
        return "no Mote ABI note: not an spt image (built for unix, or not "
               "by Mote)";
    memset(img, 0, sizeof(*img));
    img->mem_start = lo;
    img->mem_size = mem_size;
    img->entry = eh.e_entry;
    img->free_start = (end + SPT_PAGE - 1) & ~(uint64_t)(SPT_PAGE - 1);
    return NULL;
}

void tender_load(const char *path, uint64_t mem_size, struct tender_image *img)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        err(1, "%s", path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        err(1, "%s", path);
    if (!S_ISREG(st.st_mode))
        errx(1, "%s: not a regular file", path);
    if ((uint64_t)st.st_size > MAX_IMAGE_SIZE)
        errx(1, "%s: larger than %llu MiB", path, MAX_IMAGE_SIZE >> 20);
    uint64_t size = (uint64_t)st.st_size;
    uint8_t *file = malloc(size ? size : 1);
    if (!file)
        err(1, "%s", path);
    for (uint64_t got = 0; got < size;) {
        ssize_t n = read(fd, file + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err(1, "%s", path);
        if (n == 0)
            errx(1, "%s: file shrank while reading", path);
        got += (uint64_t)n;
    }
    close(fd);
    const char *e = tender_elf_check(file, size, mem_size, img);
    if (e)
        errx(1, "%s: %s", path, e);

    /* MAP_NORESERVE: pages the guest never touches cost nothing.
     * MAP_FIXED_NOREPLACE: fail rather than clobber a mapping of ours. */
    void *mem = mmap(
        (void *)(uintptr_t)img->mem_start, mem_size, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1,
        0);
    if (mem == MAP_FAILED)
        err(1, "mapping %llu MiB of guest memory at %#llx",
            (unsigned long long)(mem_size >> 20),
            (unsigned long long)img->mem_start);
    if ((uint64_t)(uintptr_t)mem != img->mem_start)
        errx(1,
             "guest memory not mapped at %#llx (kernel without "
             "MAP_FIXED_NOREPLACE?)",
             (unsigned long long)img->mem_start);

    Elf64_Ehdr eh;
    memcpy(&eh, file, sizeof(eh));
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_LOAD)
            memcpy((void *)(uintptr_t)ph.p_vaddr, file + ph.p_offset,
                   ph.p_filesz);
    }
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        uint64_t a = ph.p_vaddr & ~(uint64_t)(SPT_PAGE - 1);
        uint64_t b = (ph.p_vaddr + ph.p_memsz + SPT_PAGE - 1) &
                     ~(uint64_t)(SPT_PAGE - 1);
        int prot = ((ph.p_flags & PF_R) ? PROT_READ : 0) |
                   ((ph.p_flags & PF_W) ? PROT_WRITE : 0) |
                   ((ph.p_flags & PF_X) ? PROT_EXEC : 0);
        if (mprotect((void *)(uintptr_t)a, b - a, prot) < 0)
            err(1, "mprotect");
    }
    free(file);
}
