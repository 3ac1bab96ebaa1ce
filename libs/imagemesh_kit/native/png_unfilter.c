/* PNG scanline unfiltering (filter method 0, PNG spec section 9) of a non-interlaced image.
 *
 * Loaded with ctypes by imagemesh_kit.png_read (ctypes drops the GIL for the call). Built by
 * `python -m imagemesh_kit.native` (make setup). Plain C99; with SSE2 (every x86-64) the Sub, Average
 * and Paeth filters of 3- and 4-byte pixels (8-bit RGB, RGBA) run one pixel per step in vector lanes,
 * the way libpng's filter_sse2_intrinsics.c does, and two rows at a time when either depends on its left
 * neighbour (the second row one pixel behind); everything else runs the scalar loops.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { FILTER_NONE = 0, FILTER_SUB = 1, FILTER_UP = 2, FILTER_AVG = 3, FILTER_PAETH = 4 };

static inline uint8_t paeth_predictor(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - c - c);
    if (pa <= pb && pa <= pc) return (uint8_t)a;
    if (pb <= pc) return (uint8_t)b;
    return (uint8_t)c;
}

/* `up` is the previous reconstructed row, or a row of zeros for the first one. */
static void unfilter_row_scalar(int type, const uint8_t *in, uint8_t *out, const uint8_t *up, size_t n, size_t bpp) {
    size_t i;
    size_t lead = bpp < n ? bpp : n;
    switch (type) {
    case FILTER_NONE:
        memcpy(out, in, n);
        break;
    case FILTER_SUB:
        memcpy(out, in, lead);
        for (i = lead; i < n; i++) out[i] = (uint8_t)(in[i] + out[i - bpp]);
        break;
    case FILTER_UP:
        for (i = 0; i < n; i++) out[i] = (uint8_t)(in[i] + up[i]);
        break;
    case FILTER_AVG:
        for (i = 0; i < lead; i++) out[i] = (uint8_t)(in[i] + (up[i] >> 1));
        for (; i < n; i++) out[i] = (uint8_t)(in[i] + ((out[i - bpp] + up[i]) >> 1));
        break;
    default: /* FILTER_PAETH */
        for (i = 0; i < lead; i++) out[i] = (uint8_t)(in[i] + up[i]);
        for (; i < n; i++) out[i] = (uint8_t)(in[i] + paeth_predictor(out[i - bpp], up[i], up[i - bpp]));
        break;
    }
}

#ifdef __SSE2__
/* 3-byte pixels are assembled in a register: a 3-byte memcpy would go through the stack, and the 4-byte
 * reload of what two narrower stores just wrote stalls store forwarding (~15 cycles a pixel). */
static inline __m128i load_pixel(const uint8_t *p, size_t bpp) {
    uint32_t v;
    if (bpp == 4)
        memcpy(&v, p, 4);
    else
        v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)v), _mm_setzero_si128()); /* 16-bit lanes */
}

static inline void store_pixel(uint8_t *p, __m128i v, size_t bpp) {
    uint32_t x = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v));
    if (bpp == 4) {
        memcpy(p, &x, 4);
    } else {
        p[0] = (uint8_t)x;
        p[1] = (uint8_t)(x >> 8);
        p[2] = (uint8_t)(x >> 16);
    }
}

static inline __m128i abs16(__m128i x) { return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)); }

static inline __m128i select16(__m128i mask, __m128i yes, __m128i no) {
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

/* Sub, Average and Paeth for bpp 3 or 4, one pixel per step (the left neighbour is the carried value).
 * Sums are taken in 16-bit lanes and wrapped to 8 bits, as the filters' modulo-256 arithmetic says. */
static inline void unfilter_row_sse2(int type, const uint8_t *in, uint8_t *out, const uint8_t *up, size_t n, size_t bpp) {
    const __m128i low_byte = _mm_set1_epi16(0xff);
    __m128i a = _mm_setzero_si128(), c = _mm_setzero_si128();
    size_t i;
    for (i = 0; i + bpp <= n; i += bpp) {
        __m128i x = load_pixel(in + i, bpp), b = load_pixel(up + i, bpp), predicted;
        if (type == FILTER_SUB) {
            predicted = a;
        } else if (type == FILTER_AVG) {
            predicted = _mm_srli_epi16(_mm_add_epi16(a, b), 1);
        } else {
            __m128i pa = abs16(_mm_sub_epi16(b, c)), pb = abs16(_mm_sub_epi16(a, c));
            __m128i pc = abs16(_mm_sub_epi16(_mm_add_epi16(a, b), _mm_add_epi16(c, c)));
            __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
            predicted = select16(_mm_cmpeq_epi16(pa, smallest), a, select16(_mm_cmpeq_epi16(pb, smallest), b, c));
        }
        a = _mm_and_si128(_mm_add_epi16(x, predicted), low_byte);
        c = b;
        store_pixel(out + i, a, bpp);
    }
}
static inline __attribute__((always_inline)) __m128i predict(int type, __m128i a, __m128i b, __m128i c) {
    switch (type) {
    case FILTER_NONE:
        return _mm_setzero_si128();
    case FILTER_SUB:
        return a;
    case FILTER_UP:
        return b;
    case FILTER_AVG:
        return _mm_srli_epi16(_mm_add_epi16(a, b), 1);
    default: {
        __m128i pa = abs16(_mm_sub_epi16(b, c)), pb = abs16(_mm_sub_epi16(a, c));
        __m128i pc = abs16(_mm_sub_epi16(_mm_add_epi16(a, b), _mm_add_epi16(c, c)));
        __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
        return select16(_mm_cmpeq_epi16(pa, smallest), a, select16(_mm_cmpeq_epi16(pb, smallest), b, c));
    }
    }
}

/* Two rows at once, any filter types, bpp 3 or 4: the second row trails the first by one pixel, so the pixels it
 * needs from the first (above and above-left) are the last two the first produced, still in registers. Each
 * row's left-to-right dependency is a chain of several cycles a pixel, and two independent chains overlap (2 MP
 * photos written by OpenCV: Average/Paeth rows 7.0 -> 5.3 ms, all-Average rows 4.6 -> 3.8 ms). */
static inline __attribute__((always_inline)) void unfilter_rows_sse2(int type0, int type1, const uint8_t *in0, const uint8_t *in1, uint8_t *out0,
                                      uint8_t *out1, const uint8_t *up, size_t n, size_t bpp) {
    const __m128i low_byte = _mm_set1_epi16(0xff), zero = _mm_setzero_si128();
    __m128i a0 = zero, c0 = zero;        /* row 0: left and above-left of the pixel being made */
    __m128i a1 = zero, prev0 = zero;      /* row 1: its left pixel; row 0's pixel above-left of row 1's next */
    size_t i;
    for (i = 0; i + bpp <= n; i += bpp) {
        __m128i b0 = load_pixel(up + i, bpp);
        __m128i p0 = _mm_and_si128(_mm_add_epi16(load_pixel(in0 + i, bpp), predict(type0, a0, b0, c0)), low_byte);
        store_pixel(out0 + i, p0, bpp);
        if (i > 0) { /* row 1, one pixel behind: above = row 0's previous pixel, above-left = the one before */
            size_t j = i - bpp;
            __m128i p1 = predict(type1, a1, a0, prev0);
            a1 = _mm_and_si128(_mm_add_epi16(load_pixel(in1 + j, bpp), p1), low_byte);
            store_pixel(out1 + j, a1, bpp);
        }
        prev0 = i > 0 ? a0 : zero;
        c0 = b0;
        a0 = p0;
    }
    if (i > 0) { /* row 1's last pixel */
        size_t j = i - bpp;
        __m128i p1 = predict(type1, a1, a0, prev0);
        store_pixel(out1 + j, _mm_and_si128(_mm_add_epi16(load_pixel(in1 + j, bpp), p1), low_byte), bpp);
    }
}

/* unfilter_rows_sse2 with the types and the pixel size as constants for the pairs photos are made of (Average
 * and Paeth rows): the compiler then drops the per-pixel choice of predictor. */
#define PAIR(bpp, t0, t1) unfilter_rows_sse2(t0, t1, in0, in1, out0, out1, up, n, bpp)
#define PAIR_DISPATCH(bpp)                                                                                           \
    switch (type0 * 8 + type1) {                                                                                     \
    case FILTER_AVG * 8 + FILTER_AVG: PAIR(bpp, FILTER_AVG, FILTER_AVG); break;                                       \
    case FILTER_AVG * 8 + FILTER_PAETH: PAIR(bpp, FILTER_AVG, FILTER_PAETH); break;                                   \
    case FILTER_PAETH * 8 + FILTER_AVG: PAIR(bpp, FILTER_PAETH, FILTER_AVG); break;                                   \
    case FILTER_PAETH * 8 + FILTER_PAETH: PAIR(bpp, FILTER_PAETH, FILTER_PAETH); break;                               \
    default: PAIR(bpp, type0, type1); break;                                                                          \
    }

static void unfilter_pair_3(int type0, int type1, const uint8_t *in0, const uint8_t *in1, uint8_t *out0,
                            uint8_t *out1, const uint8_t *up, size_t n) {
    PAIR_DISPATCH(3)
}

static void unfilter_pair_4(int type0, int type1, const uint8_t *in0, const uint8_t *in1, uint8_t *out0,
                            uint8_t *out1, const uint8_t *up, size_t n) {
    PAIR_DISPATCH(4)
}
#undef PAIR_DISPATCH
#undef PAIR
#endif

/* src: height rows of 1 + rowbytes bytes (the filter type, then the filtered bytes);
 * dst: height * rowbytes bytes. bpp: bytes per complete pixel, rounded up to 1 (PNG's "bpp").
 * Returns 0, or 1 + the index of the first row with an unknown filter type (dst is then partly written). */
int png_unfilter(const uint8_t *src, uint8_t *dst, size_t height, size_t rowbytes, size_t bpp) {
    uint8_t *zeros = calloc(rowbytes ? rowbytes : 1, 1);
    const uint8_t *up = zeros;
    if (!zeros) return -1;
    for (size_t y = 0; y < height; y++) {
        const uint8_t *in = src + y * (rowbytes + 1);
        uint8_t *out = dst + y * rowbytes;
        int type = in[0];
        if (type > FILTER_PAETH) {
            free(zeros);
            return (int)(y + 1);
        }
#ifdef __SSE2__
        int next = y + 1 < height ? src[(y + 1) * (rowbytes + 1)] : -1;
        if ((bpp == 3 || bpp == 4) && rowbytes % bpp == 0 && next >= 0 && next <= FILTER_PAETH &&
            (type >= FILTER_AVG || next >= FILTER_AVG)) { /* a pair with a left-dependent chain worth doubling */
            const uint8_t *in1 = src + (y + 1) * (rowbytes + 1);
            if (bpp == 3)
                unfilter_pair_3(type, next, in + 1, in1 + 1, out, out + rowbytes, up, rowbytes);
            else
                unfilter_pair_4(type, next, in + 1, in1 + 1, out, out + rowbytes, up, rowbytes);
            up = out + rowbytes;
            y++;
            continue;
        }
        if ((bpp == 3 || bpp == 4) && type != FILTER_NONE && type != FILTER_UP && rowbytes % bpp == 0) {
            if (bpp == 3) /* a constant bpp lets the compiler turn the 3-byte copies into plain moves */
                unfilter_row_sse2(type, in + 1, out, up, rowbytes, 3);
            else
                unfilter_row_sse2(type, in + 1, out, up, rowbytes, 4);
            up = out;
            continue;
        }
#endif
        unfilter_row_scalar(type, in + 1, out, up, rowbytes, bpp);
        up = out;
    }
    free(zeros);
    return 0;
}
