// Names drop locations from /proc/kallsyms text: see plumb_kallsyms_scan in CDrops.h.
#include "CDrops.h"
#include <string.h>

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void plumb_kallsyms_scan(const uint8_t *buf, size_t n, const uint64_t *targets, size_t k,
                         uint64_t *symbol_address, int64_t *name_offset) {
    for (size_t i = 0; i < k; i++) { symbol_address[i] = 0; name_offset[i] = -1; }
    if (k == 0) return;
    const uint64_t highest = targets[k - 1];
    // Bucket i holds the highest symbol in (targets[i-1], targets[i]]: kallsyms is not sorted (modules follow
    // the kernel), so each line goes to its bucket, and a running maximum afterwards gives each target the
    // highest symbol at or below it.
    size_t i = 0;
    while (i < n) {
        uint64_t addr = 0;
        size_t j = i;
        int d;
        while (j < n && (d = hex_digit(buf[j])) >= 0) { addr = addr << 4 | (uint64_t)d; j++; }
        if (j + 3 < n && buf[j] == ' ' && addr != 0 && addr <= highest && buf[j + 2] == ' ') {
            uint8_t type = buf[j + 1] | 0x20;   // t/T and w/W alike
            if (type == 't' || type == 'w') {
                size_t lo = 0, hi = k - 1;      // the first target at or above addr
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (targets[mid] < addr) lo = mid + 1; else hi = mid;
                }
                if (name_offset[lo] < 0 || addr >= symbol_address[lo]) {
                    symbol_address[lo] = addr;
                    name_offset[lo] = (int64_t)(j + 3);
                }
            }
        }
        const uint8_t *nl = j < n ? memchr(buf + j, '\n', n - j) : NULL;
        if (!nl) break;
        i = (size_t)(nl - buf) + 1;
    }
    for (size_t t = 1; t < k; t++) {
        if (name_offset[t - 1] >= 0 && (name_offset[t] < 0 || symbol_address[t - 1] > symbol_address[t])) {
            symbol_address[t] = symbol_address[t - 1];
            name_offset[t] = name_offset[t - 1];
        }
    }
}
