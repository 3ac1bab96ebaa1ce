/* Huffman-only deflate (RFC 1951) for the kit's PNG writer (imagemesh_kit.png).
 *
 * The PNG writer deflates SUB-filtered rows without back-references ("Huffman only"): on photos, matches find
 * little in filtered rows, and coding literals alone is what makes the writer fast. zlib-ng does that at ~190 MB/s
 * (it runs every literal through its generic block machinery); coding literals with a table needs far less:
 * per block of at most 65535 input bytes, one histogram pass, a length-limited Huffman code for the 256 byte
 * values + end-of-block, and one pass that looks each byte's code up and appends it to a 64-bit bit buffer.
 * Each block gets its own code (dynamic block, BTYPE 2) - or is stored (BTYPE 0) when that is smaller, so the
 * output never exceeds the input by more than the stored blocks' 5-byte headers.
 *
 * huffman_deflate(src, n, final, dst, cap): the raw deflate data (no zlib header) of src[0, n) into dst.
 *   final = 1: the last block has BFINAL set (the stream ends here);
 *   final = 0: the data ends with an empty stored block on a byte boundary - zlib's Z_SYNC_FLUSH - so that an
 *              independently deflated piece may follow (the writer deflates slices on several cores).
 *   cap must be at least huffman_deflate_bound(n). Returns the number of bytes written, 0 if cap is too small.
 *
 * Codes: lengths from a Huffman tree (two-queue construction over the symbols sorted by frequency); when the tree
 * is deeper than deflate's limit (15 bits for literals, 7 for the code-length code) the frequencies are halved
 * (keeping every used symbol) and the tree is rebuilt. The literal code always has the end-of-block symbol and at
 * least one byte value, so it is complete; two distance codes of one bit are declared, as zlib does, because
 * some decoders want a non-empty distance code.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BLOCK 65535 /* input bytes per block: also the most one stored block holds */
#define NLIT 257    /* byte values 0-255 and end-of-block (256); no length codes */
#define NDIST 2
#define NCL 19
#define END_OF_BLOCK 256

static const uint8_t CL_ORDER[NCL] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

typedef struct {
    uint8_t *out;
    uint64_t bits;  /* pending bits, LSB first */
    unsigned count; /* how many are pending (< 8 between calls) */
} Writer;

size_t huffman_deflate_bound(size_t n) { return n + 5 * (n / BLOCK + 2) + 16; }

static void put(Writer *w, uint32_t value, unsigned n) { /* n <= 24 */
    w->bits |= (uint64_t)value << w->count;
    w->count += n;
    while (w->count >= 8) {
        *w->out++ = (uint8_t)w->bits;
        w->bits >>= 8;
        w->count -= 8;
    }
}

static void align_byte(Writer *w) {
    if (w->count > 0) put(w, 0, 8 - w->count);
}

static void sort_keys(uint64_t *keys, uint64_t *tmp, int n) { /* bottom-up merge sort, ascending */
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = keys[i] <= keys[j] ? keys[i++] : keys[j++];
            while (i < mid) tmp[k++] = keys[i++];
            while (j < hi) tmp[k++] = keys[j++];
        }
        memcpy(keys, tmp, (size_t)n * sizeof *keys);
    }
}

/* Code lengths (<= limit) for symbols 0..n-1 with frequencies freq (n <= NLIT); unused symbols get 0.
 * With fewer than two used symbols, symbols 0 and 1 (or the used one and another) get length 1, a complete code. */
static void code_lengths(const uint32_t *freq, int n, unsigned limit, uint8_t *len) {
    uint32_t f[NLIT];
    uint64_t keys[NLIT], tmp[NLIT], weight[2 * NLIT];
    int parent[2 * NLIT];
    unsigned depth[2 * NLIT];
    memcpy(f, freq, (size_t)n * sizeof *f);
    memset(len, 0, (size_t)n);
    for (;;) {
        int m = 0;
        for (int s = 0; s < n; s++)
            if (f[s]) keys[m++] = ((uint64_t)f[s] << 9) | (uint64_t)s; /* frequency, then symbol */
        if (m < 2) {
            int used = m ? (int)(keys[0] & 511) : 0;
            len[used] = 1;
            len[used == 0 ? 1 : 0] = 1;
            return;
        }
        sort_keys(keys, tmp, m);
        for (int k = 0; k < m; k++) weight[k] = keys[k] >> 9;
        int leaf = 0, inner = m, next = m; /* leaves [leaf, m) and inner nodes [inner, next): both ascending */
        while (next < 2 * m - 1) {
            int pick[2];
            for (int t = 0; t < 2; t++)
                pick[t] = (leaf < m && (inner >= next || weight[leaf] <= weight[inner])) ? leaf++ : inner++;
            weight[next] = weight[pick[0]] + weight[pick[1]];
            parent[pick[0]] = parent[pick[1]] = next++;
        }
        depth[2 * m - 2] = 0;
        unsigned deepest = 0;
        for (int k = 2 * m - 3; k >= 0; k--) { /* a parent is always created after its children */
            depth[k] = depth[parent[k]] + 1;
            if (k < m && depth[k] > deepest) deepest = depth[k];
        }
        if (deepest <= limit) {
            for (int k = 0; k < m; k++) len[keys[k] & 511] = (uint8_t)depth[k];
            return;
        }
        for (int s = 0; s < n; s++)
            if (f[s]) f[s] = (f[s] >> 1) | 1;
    }
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first output. */
static void canonical_codes(const uint8_t *len, int n, uint16_t *code) {
    unsigned count[16] = {0}, next[16];
    for (int s = 0; s < n; s++) count[len[s]]++;
    count[0] = 0;
    unsigned c = 0;
    for (int bits = 1; bits < 16; bits++) {
        c = (c + count[bits - 1]) << 1;
        next[bits] = c;
    }
    for (int s = 0; s < n; s++) {
        code[s] = 0;
        if (!len[s]) continue;
        unsigned v = next[len[s]]++, r = 0;
        for (unsigned b = 0; b < len[s]; b++) r |= ((v >> b) & 1u) << (len[s] - 1 - b);
        code[s] = (uint16_t)r;
    }
}

static void stored_block(Writer *w, const uint8_t *src, size_t n, int last) {
    put(w, (uint32_t)last, 3); /* BFINAL, BTYPE 00 */
    align_byte(w);
    put(w, (uint32_t)(n & 0xffff), 16);
    put(w, (uint32_t)(~n & 0xffff), 16);
    memcpy(w->out, src, n);
    w->out += n;
}

/* The block's bytes coded with the literal code: the hot loop (three codes per 8-byte store). */
static void code_bytes(Writer *w, const uint8_t *src, size_t n, const uint32_t *table) {
    uint64_t bits = w->bits;
    unsigned count = w->count; /* < 8 */
    uint8_t *out = w->out;
    size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 3 <= n; i += 3) { /* 7 + 3 * 15 bits fit in 64; the store may run 8 bytes ahead (see bound) */
        uint32_t a = table[src[i]], b = table[src[i + 1]], c = table[src[i + 2]];
        bits |= (uint64_t)(a & 0xffff) << count;
        count += a >> 16;
        bits |= (uint64_t)(b & 0xffff) << count;
        count += b >> 16;
        bits |= (uint64_t)(c & 0xffff) << count;
        count += c >> 16;
        memcpy(out, &bits, 8);
        out += count >> 3;
        bits >>= count & ~7u;
        count &= 7u;
    }
#endif
    w->bits = bits;
    w->count = count;
    w->out = out;
    for (; i < n; i++) put(w, table[src[i]] & 0xffff, table[src[i]] >> 16);
}

static void block(Writer *w, const uint8_t *src, size_t n, int last) {
    uint32_t hist[4][NLIT];
    memset(hist, 0, sizeof hist);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        hist[0][src[i]]++;
        hist[1][src[i + 1]]++;
        hist[2][src[i + 2]]++;
        hist[3][src[i + 3]]++;
    }
    for (; i < n; i++) hist[0][src[i]]++;
    uint32_t freq[NLIT];
    for (int s = 0; s < 256; s++) freq[s] = hist[0][s] + hist[1][s] + hist[2][s] + hist[3][s];
    freq[END_OF_BLOCK] = 1;

    uint8_t lengths[NLIT + NDIST]; /* the literal code's lengths, then the distance code's */
    code_lengths(freq, NLIT, 15, lengths);
    lengths[NLIT] = lengths[NLIT + 1] = 1;
    uint32_t cl_freq[NCL] = {0};
    for (int s = 0; s < NLIT + NDIST; s++) cl_freq[lengths[s]]++;
    uint8_t cl_len[NCL];
    code_lengths(cl_freq, NCL, 7, cl_len);
    int hclen = NCL;
    while (hclen > 4 && cl_len[CL_ORDER[hclen - 1]] == 0) hclen--;

    uint64_t huffman_bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)hclen;
    for (int s = 0; s < NLIT + NDIST; s++) huffman_bits += cl_len[lengths[s]];
    for (int s = 0; s < NLIT; s++) huffman_bits += (uint64_t)freq[s] * lengths[s];
    uint64_t stored_bits = 3 + ((8 - (w->count + 3) % 8) % 8) + 32 + 8 * (uint64_t)n;
    if (stored_bits <= huffman_bits) {
        stored_block(w, src, n, last);
        return;
    }

    uint16_t codes[NLIT], cl_codes[NCL];
    canonical_codes(lengths, NLIT, codes);
    canonical_codes(cl_len, NCL, cl_codes);
    put(w, (uint32_t)last | (2u << 1), 3);                               /* BFINAL, BTYPE 10 */
    put(w, (NLIT - 257) | ((NDIST - 1) << 5) | ((unsigned)(hclen - 4) << 10), 14); /* HLIT, HDIST, HCLEN */
    for (int k = 0; k < hclen; k++) put(w, cl_len[CL_ORDER[k]], 3);
    for (int s = 0; s < NLIT + NDIST; s++) put(w, cl_codes[lengths[s]], cl_len[lengths[s]]);
    uint32_t table[256];
    for (int s = 0; s < 256; s++) table[s] = codes[s] | ((uint32_t)lengths[s] << 16);
    code_bytes(w, src, n, table);
    put(w, codes[END_OF_BLOCK], lengths[END_OF_BLOCK]);
}

size_t huffman_deflate(const uint8_t *src, size_t n, int final, uint8_t *dst, size_t cap) {
    if (cap < huffman_deflate_bound(n)) return 0;
    Writer w = {dst, 0, 0};
    for (size_t at = 0; at < n; at += BLOCK) {
        size_t len = n - at < BLOCK ? n - at : BLOCK;
        block(&w, src + at, len, final && at + len == n);
    }
    if (n == 0 && final) stored_block(&w, src, 0, 1);
    if (!final) stored_block(&w, src, 0, 0); /* the sync flush: an empty stored block, ending byte-aligned */
    align_byte(&w);
    return (size_t)(w.out - dst);
}
