/* Reads every row of a dataset with ingot_reader.h and prints one line per row:
 * "ROW input_ids... | segment_ids..." when --dump is given, else a digest.
 * Exit status 0, or 1 with the reader's message on stderr. Built and run by python/tests. */
#define INGOT_READER_IMPLEMENTATION
#include "ingot_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: test_reader DATASET [--dump]\n"); return 2; }
    int dump = argc > 2 && !strcmp(argv[2], "--dump");
    char err[1024];
    ingot_dataset *ds;
    if (ingot_open(argv[1], &ds, err, sizeof err) != 0) { fprintf(stderr, "error: %s\n", err); return 1; }
    uint32_t n = ingot_seq_len(ds);
    uint32_t *ids = malloc(n * sizeof *ids), *seg = malloc(n * sizeof *seg);
    unsigned long long sum = 0, real = 0;
    for (uint64_t r = 0; r < ingot_num_rows(ds); r++) {
        if (ingot_read_row(ds, r, ids, seg, NULL, err, sizeof err) != 0) { fprintf(stderr, "error: %s\n", err); return 1; }
        for (uint32_t t = 0; t < n; t++) { sum += ids[t]; real += seg[t] != 0; }
        if (dump) {
            for (uint32_t t = 0; t < n; t++) printf("%u ", ids[t]);
            printf("|");
            for (uint32_t t = 0; t < n; t++) printf(" %u", seg[t]);
            printf("\n");
        }
    }
    /* Out-of-range access is an error, not a crash. */
    if (ingot_read_row(ds, ingot_num_rows(ds), ids, seg, NULL, err, sizeof err) == 0) { fprintf(stderr, "out of range accepted\n"); return 1; }
    if (!dump) printf("rows=%llu seq_len=%u sum=%llu real=%llu\n", (unsigned long long)ingot_num_rows(ds), n, sum, real);
    free(ids); free(seg);
    ingot_close(ds);
    return 0;
}
