/*
 * ingot_reader.h: a single-header C reader for Ingot datasets (docs/format.md), for C, C++ and
 * CUDA trainers. Depends on libzstd only.
 *
 *     #define INGOT_READER_IMPLEMENTATION   // in exactly one .c/.cpp file
 *     #include "ingot_reader.h"
 *     cc ... -lzstd
 *
 *     ingot_dataset *ds; char err[512];
 *     if (ingot_open("shards/pretrain", &ds, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); ... }
 *     uint32_t ids[ingot_seq_len(ds)], seg[ingot_seq_len(ds)];
 *     if (ingot_read_row(ds, 42, ids, seg, err, sizeof err) != 0) { ... }
 *     ingot_close(ds);
 *
 * The index is checked on opening: its own index_sha256 (so an edited value, or a dropped,
 * duplicated or reordered shard entry is refused) and every value the reader relies on. Shard
 * files are memory-mapped. Before a file's first use, its size and SHA-256 are checked against
 * index.json; zstd frames are decompressed on demand (their own checksums verified) with a
 * one-frame cache per file. Any defect is an error with a message naming the file: never a crash,
 * never a silently wrong row. Not thread-safe: use one ingot_dataset per thread.
 */
#ifndef INGOT_READER_H
#define INGOT_READER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ingot_dataset ingot_dataset;

/* Opens the dataset in `directory`. Returns 0, or -1 with a message in err. */
int ingot_open(const char *directory, ingot_dataset **out, char *err, size_t errlen);
void ingot_close(ingot_dataset *ds);
uint64_t ingot_num_rows(const ingot_dataset *ds);
uint32_t ingot_seq_len(const ingot_dataset *ds);
/* 1 when the dataset has a loss_mask column. */
int ingot_has_loss_mask(const ingot_dataset *ds);
/* Copies row `row` (global index) widened to uint32: input_ids and segment_ids (0 = padding),
 * and the loss mask if `loss_mask` is not NULL and the dataset has one. Returns 0 or -1. */
int ingot_read_row(ingot_dataset *ds, uint64_t row, uint32_t *input_ids, uint32_t *segment_ids,
                   uint8_t *loss_mask, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* INGOT_READER_H */

#ifdef INGOT_READER_IMPLEMENTATION
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* ---- errors --------------------------------------------------------------------------------- */

static int ingot__fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- a small JSON reader, enough for index.json ------------------------------------------ */

typedef enum { INGOT_J_NULL, INGOT_J_BOOL, INGOT_J_NUM, INGOT_J_STR, INGOT_J_ARR, INGOT_J_OBJ } ingot__jtype;

typedef struct ingot__json {
    ingot__jtype type;
    double num;
    char *str;                 /* strings; object member keys live in `keys` */
    struct ingot__json *items; /* array elements or object values */
    char **keys;
    size_t count;
} ingot__json;

typedef struct { const char *p, *end; int depth; } ingot__jparser;

static void ingot__jfree(ingot__json *v) {
    if (!v) return;
    for (size_t i = 0; i < v->count; i++) {
        ingot__jfree(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

static void ingot__jws(ingot__jparser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')) ps->p++;
}

static int ingot__jstring(ingot__jparser *ps, char **out) {
    if (ps->p >= ps->end || *ps->p != '"') return -1;
    ps->p++;
    size_t cap = 16, n = 0;
    char *s = (char *)malloc(cap);
    if (!s) return -1;
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if (c == '\\') {
            if (ps->p >= ps->end) { free(s); return -1; }
            char e = *ps->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u':  /* index.json keys and names are ASCII; keep \uXXXX escapes as '?' */
                if (ps->end - ps->p < 4) { free(s); return -1; }
                ps->p += 4;
                c = '?';
                break;
            default: c = e;
            }
        }
        if (n + 2 > cap) {
            char *t = (char *)realloc(s, cap *= 2);
            if (!t) { free(s); return -1; }
            s = t;
        }
        s[n++] = c;
    }
    if (ps->p >= ps->end) { free(s); return -1; }
    ps->p++;
    s[n] = 0;
    *out = s;
    return 0;
}

static int ingot__jvalue(ingot__jparser *ps, ingot__json *v) {
    memset(v, 0, sizeof *v);
    if (++ps->depth > 64) return -1;
    ingot__jws(ps);
    if (ps->p >= ps->end) return -1;
    char c = *ps->p;
    int rc = 0;
    if (c == '{' || c == '[') {
        int object = c == '{';
        v->type = object ? INGOT_J_OBJ : INGOT_J_ARR;
        ps->p++;
        size_t cap = 0;
        ingot__jws(ps);
        if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) { ps->p++; ps->depth--; return 0; }
        for (;;) {
            if (v->count == cap) {
                cap = cap ? cap * 2 : 8;
                ingot__json *items = (ingot__json *)realloc(v->items, cap * sizeof *items);
                if (!items) return -1;
                v->items = items;
                if (object) {
                    char **keys = (char **)realloc(v->keys, cap * sizeof *keys);
                    if (!keys) return -1;
                    v->keys = keys;
                }
            }
            ingot__jws(ps);
            if (object) {
                if (ingot__jstring(ps, &v->keys[v->count]) != 0) return -1;
                ingot__jws(ps);
                if (ps->p >= ps->end || *ps->p != ':') { free(v->keys[v->count]); return -1; }
                ps->p++;
            }
            if (ingot__jvalue(ps, &v->items[v->count]) != 0) {
                if (object) free(v->keys[v->count]);
                ingot__jfree(&v->items[v->count]);
                return -1;
            }
            v->count++;
            ingot__jws(ps);
            if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
            if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) { ps->p++; break; }
            return -1;
        }
    } else if (c == '"') {
        v->type = INGOT_J_STR;
        rc = ingot__jstring(ps, &v->str);
    } else if (c == 't' && ps->end - ps->p >= 4 && !memcmp(ps->p, "true", 4)) {
        v->type = INGOT_J_BOOL; v->num = 1; ps->p += 4;
    } else if (c == 'f' && ps->end - ps->p >= 5 && !memcmp(ps->p, "false", 5)) {
        v->type = INGOT_J_BOOL; ps->p += 5;
    } else if (c == 'n' && ps->end - ps->p >= 4 && !memcmp(ps->p, "null", 4)) {
        v->type = INGOT_J_NULL; ps->p += 4;
    } else {
        char buf[64];
        size_t n = 0;
        while (ps->p < ps->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", *ps->p)) buf[n++] = *ps->p++;
        buf[n] = 0;
        char *endp;
        v->type = INGOT_J_NUM;
        v->num = strtod(buf, &endp);
        rc = (n == 0 || *endp) ? -1 : 0;
    }
    ps->depth--;
    return rc;
}

static const ingot__json *ingot__jget(const ingot__json *v, const char *key) {
    if (!v || v->type != INGOT_J_OBJ) return NULL;
    for (size_t i = v->count; i-- > 0;)
        if (!strcmp(v->keys[i], key)) return &v->items[i];
    return NULL;
}

static int ingot__jint(const ingot__json *v, uint64_t *out) {
    if (!v || v->type != INGOT_J_NUM || v->num < 0 || v->num != (double)(uint64_t)v->num) return -1;
    *out = (uint64_t)v->num;
    return 0;
}

/* ---- SHA-256 ---------------------------------------------------------------------------- */

static const uint32_t ingot__k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define INGOT__ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void ingot__sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64], a, b, c, d, e, f, g, hh;
    for (int t = 0; t < 16; t++) w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = INGOT__ROR(w[t - 15], 7) ^ INGOT__ROR(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = INGOT__ROR(w[t - 2], 17) ^ INGOT__ROR(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + (INGOT__ROR(e, 6) ^ INGOT__ROR(e, 11) ^ INGOT__ROR(e, 25)) + ((e & f) ^ (~e & g)) + ingot__k[t] + w[t];
        uint32_t t2 = (INGOT__ROR(a, 2) ^ INGOT__ROR(a, 13) ^ INGOT__ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void ingot__sha256_hex(const uint8_t *data, size_t n, char out[65]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t i = 0;
    for (; i + 64 <= n; i += 64) ingot__sha256_block(h, data + i);
    uint8_t tail[128] = {0};
    size_t rest = n - i;
    memcpy(tail, data + i, rest);
    tail[rest] = 0x80;
    size_t blocks = rest < 56 ? 1 : 2;
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++) tail[blocks * 64 - 1 - k] = (uint8_t)(bits >> (8 * k));
    for (size_t b = 0; b < blocks; b++) ingot__sha256_block(h, tail + 64 * b);
    for (int k = 0; k < 8; k++) snprintf(out + 8 * k, 9, "%08x", h[k]);
}

/* ---- the dataset -------------------------------------------------------------------------- */

enum { INGOT__IDS, INGOT__SEG, INGOT__MASK, INGOT__COLUMNS };
static const char *ingot__column_names[INGOT__COLUMNS] = {"input_ids", "segment_ids", "loss_mask"};

typedef struct {
    char *path;
    char sha256[65];
    uint64_t bytes;
    const uint8_t *map;     /* NULL until first use */
    uint64_t frames;
    uint64_t *offsets;      /* frames + 1 */
    uint8_t *cache;         /* one decoded frame */
    int64_t cached_frame;
} ingot__file;

typedef struct {
    uint64_t rows, first_row;
    ingot__file files[INGOT__COLUMNS];
} ingot__shard;

struct ingot_dataset {
    uint32_t seq_len, rows_per_frame;
    int zstd, has_mask;
    int width[INGOT__COLUMNS];
    uint64_t total_rows;
    size_t nshards;
    ingot__shard *shards;
    ZSTD_DCtx *dctx;
};

uint64_t ingot_num_rows(const ingot_dataset *ds) { return ds->total_rows; }
uint32_t ingot_seq_len(const ingot_dataset *ds) { return ds->seq_len; }
int ingot_has_loss_mask(const ingot_dataset *ds) { return ds->has_mask; }

void ingot_close(ingot_dataset *ds) {
    if (!ds) return;
    for (size_t s = 0; s < ds->nshards; s++)
        for (int c = 0; c < INGOT__COLUMNS; c++) {
            ingot__file *f = &ds->shards[s].files[c];
            if (f->map && f->bytes) munmap((void *)f->map, f->bytes);
            free(f->path); free(f->offsets); free(f->cache);
        }
    free(ds->shards);
    if (ds->dctx) ZSTD_freeDCtx(ds->dctx);
    free(ds);
}

static int ingot__dtype_width(const ingot__json *columns, const char *name) {
    const ingot__json *dtype = ingot__jget(ingot__jget(columns, name), "dtype");
    if (!dtype || dtype->type != INGOT_J_STR) return 0;
    if (!strcmp(dtype->str, "uint8")) return 1;
    if (!strcmp(dtype->str, "uint16")) return 2;
    if (!strcmp(dtype->str, "uint32")) return 4;
    return -1;
}

/* index_sha256 is the SHA-256 of index.json with that value replaced by 64 zeros: find the one
 * "index_sha256" key, the quoted value after it, zero it in a copy, hash, compare. */
static int ingot__check_checksum(const char *text, size_t size, const ingot__json *root, const char *path, char *err, size_t errlen) {
    const ingot__json *sum = ingot__jget(root, "index_sha256");
    if (!sum || sum->type != INGOT_J_STR || strlen(sum->str) != 64 || strspn(sum->str, "0123456789abcdef") != 64)
        return ingot__fail(err, errlen, "%s: index_sha256 is missing or malformed", path);
    char *copy = (char *)malloc(size + 1);
    if (!copy) return ingot__fail(err, errlen, "out of memory");
    memcpy(copy, text, size);
    copy[size] = 0;
    int rc = -1;
    char quoted[67];
    snprintf(quoted, sizeof quoted, "\"%s\"", sum->str);
    char *key = strstr(copy, "\"index_sha256\"");
    char *value = key ? strstr(key, quoted) : NULL;
    if (!key || strstr(key + 1, "\"index_sha256\"") || (size_t)strlen(copy) != size || !value) {
        ingot__fail(err, errlen, "%s: index_sha256 is missing or malformed", path);
    } else {
        char *p = key + 14;
        while (p < value && (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t')) p++;
        if (p != value) {
            ingot__fail(err, errlen, "%s: index_sha256 is missing or malformed", path);
        } else {
            memset(value + 1, '0', 64);
            char hex[65];
            ingot__sha256_hex((const uint8_t *)copy, size, hex);
            if (strcmp(hex, sum->str)) ingot__fail(err, errlen, "%s does not match its own index_sha256: the index was edited or corrupted", path);
            else rc = 0;
        }
    }
    free(copy);
    return rc;
}

/* The values every reader relies on (docs/format.md, "Checking a dataset"). */
static int ingot__check_values(const ingot__json *root, const char *path, char *err, size_t errlen) {
    uint64_t seq_len, vocab, rpf, total, rows_stat, level;
    const ingot__json *columns = ingot__jget(root, "columns"), *compression = ingot__jget(root, "compression");
    const ingot__json *special = ingot__jget(root, "special_tokens"), *stats = ingot__jget(root, "statistics");
    const ingot__json *shards = ingot__jget(root, "shards"), *inputs = ingot__jget(root, "inputs");
    const ingot__json *codec = ingot__jget(compression, "codec");
    if (ingot__jint(ingot__jget(root, "seq_len"), &seq_len) || seq_len == 0 || seq_len > (1u << 30))
        return ingot__fail(err, errlen, "%s: seq_len must be a positive integer", path);
    const ingot__json *recorded = ingot__jget(ingot__jget(ingot__jget(root, "pipeline"), "options"), "seq_len");
    if (recorded && (recorded->type != INGOT_J_STR || strtoull(recorded->str, NULL, 10) != seq_len))
        return ingot__fail(err, errlen, "%s: seq_len differs from the one the pipeline recorded", path);
    if (ingot__jint(ingot__jget(root, "vocab_size"), &vocab) || vocab == 0 || vocab > (1ull << 32))
        return ingot__fail(err, errlen, "%s: vocab_size is not a vocabulary size", path);
    if (!special || special->type != INGOT_J_OBJ) return ingot__fail(err, errlen, "%s: special_tokens is missing", path);
    for (size_t i = 0; i < special->count; i++) {
        uint64_t id;
        if (special->items[i].type == INGOT_J_NULL) continue;
        if (ingot__jint(&special->items[i], &id) || id >= vocab)
            return ingot__fail(err, errlen, "%s: special token %s is outside the vocabulary", path, special->keys[i]);
    }
    if (!columns || columns->type != INGOT_J_OBJ || !ingot__jget(columns, "input_ids") || !ingot__jget(columns, "segment_ids"))
        return ingot__fail(err, errlen, "%s: input_ids and segment_ids columns are required", path);
    for (size_t i = 0; i < columns->count; i++) {
        int w = ingot__dtype_width(columns, columns->keys[i]);
        const char *name = columns->keys[i];
        int ok = (!strcmp(name, "input_ids") || !strcmp(name, "segment_ids")) ? (w == 2 || w == 4) : !strcmp(name, "loss_mask") ? w == 1 : 0;
        if (!ok) return ingot__fail(err, errlen, "%s: column %s is unknown or has the wrong dtype", path, name);
    }
    if (ingot__dtype_width(columns, "input_ids") == 2 && vocab > 65536) return ingot__fail(err, errlen, "%s: uint16 input_ids for vocab_size %llu", path, (unsigned long long)vocab);
    if (ingot__dtype_width(columns, "segment_ids") == 2 && seq_len >= 65536) return ingot__fail(err, errlen, "%s: uint16 segment_ids for seq_len %llu", path, (unsigned long long)seq_len);
    if (!codec || codec->type != INGOT_J_STR || (strcmp(codec->str, "zstd") && strcmp(codec->str, "none")))
        return ingot__fail(err, errlen, "%s: unknown codec", path);
    int zstd = !strcmp(codec->str, "zstd");
    if (ingot__jint(ingot__jget(compression, "rows_per_frame"), &rpf) || rpf == 0 || rpf > (1u << 30))
        return ingot__fail(err, errlen, "%s: rows_per_frame must be a positive integer", path);
    if (zstd && (ingot__jint(ingot__jget(compression, "level"), &level) || level < 1 || level > 22))
        return ingot__fail(err, errlen, "%s: zstd level must be 1 to 22", path);
    if (!shards || shards->type != INGOT_J_ARR) return ingot__fail(err, errlen, "%s: shards is missing", path);
    uint64_t sum = 0, prev_part = 0, prev_shard = 0;
    for (size_t s = 0; s < shards->count; s++) {
        const ingot__json *shard = &shards->items[s], *name = ingot__jget(shard, "name"), *files = ingot__jget(shard, "files");
        uint64_t part, rows;
        unsigned p, k;
        char expected[64];
        int n = 0;
        if (!name || name->type != INGOT_J_STR || ingot__jint(ingot__jget(shard, "partition"), &part) ||
            ingot__jint(ingot__jget(shard, "rows"), &rows) || !files || files->type != INGOT_J_OBJ ||
            sscanf(name->str, "part-%u-%u%n", &p, &k, &n) != 2 || (size_t)n != strlen(name->str) || p != part)
            return ingot__fail(err, errlen, "%s: shard %zu is malformed or misnamed", path, s);
        snprintf(expected, sizeof expected, "part-%05u-%04u", p, k);
        if (strcmp(expected, name->str)) return ingot__fail(err, errlen, "%s: shard %s is misnamed", path, name->str);
        int in_order = s == 0 ? k == 0 : (p == prev_part ? k == prev_shard + 1 : (p > prev_part && k == 0));
        if (!in_order) return ingot__fail(err, errlen, "%s: shard %s is out of order, duplicated, or follows a missing shard", path, name->str);
        prev_part = p;
        prev_shard = k;
        if (files->count != columns->count) return ingot__fail(err, errlen, "%s: shard %s does not have one file per column", path, name->str);
        for (size_t c = 0; c < columns->count; c++) {
            const ingot__json *file = ingot__jget(files, columns->keys[c]), *fname = ingot__jget(file, "file");
            char want[160];
            uint64_t bytes, frames;
            snprintf(want, sizeof want, "%s.%s.%s", name->str, columns->keys[c], zstd ? "zst" : "bin");
            if (!fname || fname->type != INGOT_J_STR || strcmp(fname->str, want) || ingot__jint(ingot__jget(file, "bytes"), &bytes))
                return ingot__fail(err, errlen, "%s: shard %s lists a wrong %s file", path, name->str, columns->keys[c]);
            uint64_t width = (uint64_t)ingot__dtype_width(columns, columns->keys[c]);
            if (zstd) {
                if (ingot__jint(ingot__jget(file, "frames"), &frames) || frames != (rows + rpf - 1) / rpf)
                    return ingot__fail(err, errlen, "%s: %s lists the wrong number of frames", path, want);
            } else if (ingot__jget(file, "frames") || bytes != rows * seq_len * width) {
                return ingot__fail(err, errlen, "%s: %s has the wrong size for %llu rows", path, want, (unsigned long long)rows);
            }
        }
        sum += rows;
    }
    if (ingot__jint(ingot__jget(root, "total_rows"), &total) || total != sum ||
        ingot__jint(ingot__jget(stats, "rows"), &rows_stat) || rows_stat != sum)
        return ingot__fail(err, errlen, "%s: shards hold %llu rows, total_rows and the statistics disagree", path, (unsigned long long)sum);
    uint64_t read = 0, written = 0, skipped = 0, dropped = 0;
    if (ingot__jint(ingot__jget(stats, "documents_read"), &read) || ingot__jint(ingot__jget(stats, "documents_written"), &written))
        return ingot__fail(err, errlen, "%s: statistics are malformed", path);
    const char *tallies[2] = {"skipped", "dropped"};
    for (int t = 0; t < 2; t++) {
        const ingot__json *by = ingot__jget(stats, tallies[t]);
        if (!by || by->type != INGOT_J_OBJ) return ingot__fail(err, errlen, "%s: statistics lack %s", path, tallies[t]);
        for (size_t i = 0; i < by->count; i++) {
            uint64_t n;
            if (ingot__jint(&by->items[i], &n)) return ingot__fail(err, errlen, "%s: statistics are malformed", path);
            if (t == 0) skipped += n; else dropped += n;
        }
    }
    if (read != written + skipped + dropped) return ingot__fail(err, errlen, "%s: documents read != written + skipped + dropped", path);
    if (!inputs || inputs->type != INGOT_J_ARR) return ingot__fail(err, errlen, "%s: inputs is missing", path);
    for (size_t i = 0; i < inputs->count; i++) {
        uint64_t bytes, bytes_read;
        if (ingot__jint(ingot__jget(&inputs->items[i], "bytes"), &bytes) || ingot__jint(ingot__jget(&inputs->items[i], "bytes_read"), &bytes_read) || bytes != bytes_read)
            return ingot__fail(err, errlen, "%s: input %zu was not read whole", path, i);
    }
    return 0;
}

int ingot_open(const char *directory, ingot_dataset **out, char *err, size_t errlen) {
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", directory);
    FILE *fp = fopen(path, "rb");
    if (!fp) return ingot__fail(err, errlen, "%s is missing: not an Ingot dataset, or an incomplete one", path);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = (char *)malloc(size > 0 ? (size_t)size : 1);
    if (!text || fread(text, 1, (size_t)size, fp) != (size_t)size) { fclose(fp); free(text); return ingot__fail(err, errlen, "cannot read %s", path); }
    fclose(fp);
    ingot__jparser ps = {text, text + size, 0};
    ingot__json root;
    int parsed = ingot__jvalue(&ps, &root);
    if (parsed == 0) {
        ingot__jws(&ps);
        if (ps.p != ps.end) parsed = -1;
    }
    if (parsed != 0) { free(text); ingot__jfree(&root); return ingot__fail(err, errlen, "%s is not valid JSON", path); }
    const ingot__json *fmt = ingot__jget(&root, "format");
    uint64_t v = 0;
    if (!fmt || fmt->type != INGOT_J_STR || strcmp(fmt->str, "ingot-shards") || ingot__jint(ingot__jget(&root, "format_version"), &v) || v != 2) {
        free(text);
        ingot__jfree(&root);
        return ingot__fail(err, errlen, "%s: not format ingot-shards v2", path);
    }
    int checked = ingot__check_checksum(text, (size_t)size, &root, path, err, errlen);
    free(text);
    if (checked != 0 || ingot__check_values(&root, path, err, errlen) != 0) { ingot__jfree(&root); return -1; }

    ingot_dataset *ds = (ingot_dataset *)calloc(1, sizeof *ds);
    int rc = -1;
    const ingot__json *format = ingot__jget(&root, "format"), *columns = ingot__jget(&root, "columns");
    const ingot__json *compression = ingot__jget(&root, "compression"), *shards = ingot__jget(&root, "shards");
    const ingot__json *codec = ingot__jget(compression, "codec");
    uint64_t version = 0, seq_len = 0, rpf = 0, total = 0;
    if (!ds || !format || format->type != INGOT_J_STR || strcmp(format->str, "ingot-shards") ||
        ingot__jint(ingot__jget(&root, "format_version"), &version) || version != 2) {
        ingot__fail(err, errlen, "%s: not format ingot-shards v2", path);
        goto done;
    }
    if (ingot__jint(ingot__jget(&root, "seq_len"), &seq_len) || seq_len == 0 || seq_len > (1u << 30) ||
        ingot__jint(ingot__jget(compression, "rows_per_frame"), &rpf) || rpf == 0 ||
        ingot__jint(ingot__jget(&root, "total_rows"), &total) || !codec || codec->type != INGOT_J_STR ||
        !shards || shards->type != INGOT_J_ARR || !columns) {
        ingot__fail(err, errlen, "%s: malformed index", path);
        goto done;
    }
    ds->seq_len = (uint32_t)seq_len;
    ds->rows_per_frame = (uint32_t)rpf;
    ds->zstd = !strcmp(codec->str, "zstd");
    if (!ds->zstd && strcmp(codec->str, "none")) { ingot__fail(err, errlen, "%s: unknown codec %s", path, codec->str); goto done; }
    for (int c = 0; c < INGOT__COLUMNS; c++) ds->width[c] = ingot__dtype_width(columns, ingot__column_names[c]);
    if (ds->width[INGOT__IDS] <= 0 || ds->width[INGOT__SEG] <= 0 || ds->width[INGOT__MASK] < 0) {
        ingot__fail(err, errlen, "%s: input_ids and segment_ids need an unsigned dtype", path);
        goto done;
    }
    ds->has_mask = ds->width[INGOT__MASK] > 0;
    ds->nshards = shards->count;
    ds->shards = (ingot__shard *)calloc(shards->count ? shards->count : 1, sizeof *ds->shards);
    uint64_t first = 0;
    for (size_t s = 0; s < shards->count; s++) {
        const ingot__json *shard = &shards->items[s], *files = ingot__jget(shard, "files");
        ingot__shard *sh = &ds->shards[s];
        if (ingot__jint(ingot__jget(shard, "rows"), &sh->rows) || !files) { ingot__fail(err, errlen, "%s: shard %zu is malformed", path, s); goto done; }
        sh->first_row = first;
        first += sh->rows;
        for (int c = 0; c < INGOT__COLUMNS; c++) {
            if (ds->width[c] == 0) continue;
            const ingot__json *file = ingot__jget(files, ingot__column_names[c]);
            const ingot__json *name = ingot__jget(file, "file"), *sha = ingot__jget(file, "sha256");
            ingot__file *f = &sh->files[c];
            if (!name || name->type != INGOT_J_STR || !sha || sha->type != INGOT_J_STR || strlen(sha->str) != 64 ||
                ingot__jint(ingot__jget(file, "bytes"), &f->bytes) || strchr(name->str, '/')) {
                ingot__fail(err, errlen, "%s: shard %zu lacks a valid %s file entry", path, s, ingot__column_names[c]);
                goto done;
            }
            size_t len = strlen(directory) + strlen(name->str) + 2;
            f->path = (char *)malloc(len);
            snprintf(f->path, len, "%s/%s", directory, name->str);
            memcpy(f->sha256, sha->str, 65);
            f->cached_frame = -1;
        }
    }
    if (first != total) { ingot__fail(err, errlen, "%s: shards hold %llu rows, total_rows is %llu", path, (unsigned long long)first, (unsigned long long)total); goto done; }
    ds->total_rows = total;
    if (ds->zstd && !(ds->dctx = ZSTD_createDCtx())) { ingot__fail(err, errlen, "cannot create a zstd context"); goto done; }
    rc = 0;
done:
    ingot__jfree(&root);
    if (rc == 0) *out = ds; else ingot_close(ds);
    return rc;
}

static uint32_t ingot__le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Maps a file and checks it against the index: size, sha256, and for zstd the seek table. */
static int ingot__load(ingot_dataset *ds, ingot__shard *sh, int c, char *err, size_t errlen) {
    ingot__file *f = &sh->files[c];
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ingot__fail(err, errlen, "%s: %s", f->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != f->bytes) {
        close(fd);
        return ingot__fail(err, errlen, "%s has %lld bytes, the index says %llu (truncated or replaced)", f->path, (long long)st.st_size, (unsigned long long)f->bytes);
    }
    const uint8_t *map = NULL;
    if (f->bytes) {
        void *m = mmap(NULL, f->bytes, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) { close(fd); return ingot__fail(err, errlen, "%s: mmap: %s", f->path, strerror(errno)); }
        map = (const uint8_t *)m;
    }
    close(fd);
    char hex[65];
    ingot__sha256_hex(map, f->bytes, hex);
    if (strcmp(hex, f->sha256)) {
        if (map) munmap((void *)map, f->bytes);
        return ingot__fail(err, errlen, "%s does not match its sha256 in the index (corrupted)", f->path);
    }
    f->map = map ? map : (const uint8_t *)"";
    uint64_t row_bytes = (uint64_t)ds->seq_len * ds->width[c];
    if (!ds->zstd) {
        if (f->bytes != sh->rows * row_bytes) return ingot__fail(err, errlen, "%s: size does not match %llu rows", f->path, (unsigned long long)sh->rows);
        return 0;
    }
    if (f->bytes < 17 || ingot__le32(map + f->bytes - 4) != 0x8F92EAB1u || (map[f->bytes - 5] & 0x80))
        return ingot__fail(err, errlen, "%s: no valid seek table", f->path);
    uint64_t frames = ingot__le32(map + f->bytes - 9), table = 8 + 8 * frames + 9;
    if (table > f->bytes || ingot__le32(map + f->bytes - table) != 0x184D2A5Eu || ingot__le32(map + f->bytes - table + 4) != 8 * frames + 9)
        return ingot__fail(err, errlen, "%s: corrupt seek table", f->path);
    f->offsets = (uint64_t *)malloc((frames + 1) * sizeof *f->offsets);
    f->cache = (uint8_t *)malloc((size_t)(ds->rows_per_frame * row_bytes) + 1);
    if (!f->offsets || !f->cache) return ingot__fail(err, errlen, "out of memory");
    const uint8_t *entry = map + f->bytes - table + 8;
    uint64_t offset = 0, rows = 0;
    for (uint64_t i = 0; i < frames; i++) {
        f->offsets[i] = offset;
        offset += ingot__le32(entry + 8 * i);
        uint64_t frame_rows = sh->rows - rows < ds->rows_per_frame ? sh->rows - rows : ds->rows_per_frame;
        if (frame_rows == 0 || ingot__le32(entry + 8 * i + 4) != frame_rows * row_bytes)
            return ingot__fail(err, errlen, "%s: frame %llu size does not match the rows", f->path, (unsigned long long)i);
        rows += frame_rows;
    }
    f->offsets[frames] = offset;
    f->frames = frames;
    if (offset != f->bytes - table || rows != sh->rows) return ingot__fail(err, errlen, "%s: frames do not add up to the file", f->path);
    return 0;
}

static int ingot__copy(ingot_dataset *ds, ingot__shard *sh, int c, uint64_t local, uint32_t *out32, uint8_t *out8, char *err, size_t errlen) {
    ingot__file *f = &sh->files[c];
    if (!f->map && ingot__load(ds, sh, c, err, errlen) != 0) { f->map = NULL; return -1; }
    int w = ds->width[c];
    uint64_t row_bytes = (uint64_t)ds->seq_len * w;
    const uint8_t *src;
    if (ds->zstd) {
        uint64_t frame = local / ds->rows_per_frame;
        if ((int64_t)frame != f->cached_frame) {
            uint64_t rows = sh->rows - frame * ds->rows_per_frame < ds->rows_per_frame ? sh->rows - frame * ds->rows_per_frame : ds->rows_per_frame;
            size_t n = ZSTD_decompressDCtx(ds->dctx, f->cache, (size_t)(rows * row_bytes), f->map + f->offsets[frame],
                                           (size_t)(f->offsets[frame + 1] - f->offsets[frame]));
            if (ZSTD_isError(n) || n != rows * row_bytes) {
                f->cached_frame = -1;
                return ingot__fail(err, errlen, "%s: frame %llu is corrupt (%s)", f->path, (unsigned long long)frame,
                                   ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size");
            }
            f->cached_frame = (int64_t)frame;
        }
        src = f->cache + (local - frame * ds->rows_per_frame) * row_bytes;
    } else {
        src = f->map + local * row_bytes;
    }
    for (uint32_t t = 0; t < ds->seq_len; t++) {
        const uint8_t *p = src + (size_t)t * w;
        uint32_t v = w == 1 ? p[0] : w == 2 ? (uint32_t)(p[0] | p[1] << 8) : ingot__le32(p);
        if (out32) out32[t] = v; else out8[t] = (uint8_t)v;
    }
    return 0;
}

int ingot_read_row(ingot_dataset *ds, uint64_t row, uint32_t *input_ids, uint32_t *segment_ids, uint8_t *loss_mask, char *err, size_t errlen) {
    if (row >= ds->total_rows) return ingot__fail(err, errlen, "row %llu is out of range (%llu rows)", (unsigned long long)row, (unsigned long long)ds->total_rows);
    size_t lo = 0, hi = ds->nshards;  /* the last shard whose first row is <= row */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ds->shards[mid].first_row <= row) lo = mid; else hi = mid;
    }
    while (ds->shards[lo].rows == 0 || row >= ds->shards[lo].first_row + ds->shards[lo].rows) lo++;
    ingot__shard *sh = &ds->shards[lo];
    uint64_t local = row - sh->first_row;
    if (ingot__copy(ds, sh, INGOT__IDS, local, input_ids, NULL, err, errlen) != 0) return -1;
    if (ingot__copy(ds, sh, INGOT__SEG, local, segment_ids, NULL, err, errlen) != 0) return -1;
    if (loss_mask && ds->has_mask && ingot__copy(ds, sh, INGOT__MASK, local, NULL, loss_mask, err, errlen) != 0) return -1;
    return 0;
}
#endif /* INGOT_READER_IMPLEMENTATION */
