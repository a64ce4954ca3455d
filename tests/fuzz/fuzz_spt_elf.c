/* Fuzz the mote-spt image checker (tools/spt/elf.c) with arbitrary files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy, so reads past size are caught by ASan even when the
     * fuzzer's buffer is larger. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    static const uint64_t mems[] = {4u << 20, 128u << 20};
    for (size_t i = 0; i < 2; i++) {
        struct tender_image img;
        if (tender_elf_check(copy, size, mems[i], &img) != NULL)
            continue;
        /* Accepted: what the loader will rely on must hold. */
        uint64_t lo = SPT_IMAGE_BASE, hi = lo + mems[i];
        if (img.entry < lo || img.entry >= hi || img.free_start > hi ||
            img.free_start % SPT_PAGE || img.mem_start != lo ||
            img.mem_size != mems[i])
            abort();
    }
    free(copy);
    return 0;
}
