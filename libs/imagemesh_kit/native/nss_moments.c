/* Moment sums for the asymmetric generalised Gaussian (AGGD) fits of BRISQUE and NIQE, in one pass per block.
 *
 * Both metrics fit an AGGD to the MSCN coefficients of an image and to four products of neighbouring
 * coefficients (right, down, down-right, down-left), over the whole image (BRISQUE) or per block (NIQE).
 * Done in numpy that is a product array per orientation, a copy per block grid and eight reductions over
 * each; here the products are formed on the fly and the five sums each fit needs are taken at once.
 *
 * For every block and signal (0: the coefficients, 1-4: the products in the order above), out[] receives
 *   sum x^2, sum min(x,0)^2, sum |x|, count(x < 0), count(x > 0)
 * (as doubles). A product whose neighbour lies outside the map does not exist and adds nothing, which is
 * what both conventions need: BRISQUE divides by the number of products that exist, NIQE by the block
 * size (its products are zero-padded); the caller knows which.
 *
 * coeffs: h x w float32, rows contiguous. Blocks: bh x bw, the top-left of block (i, j) at
 * (i * step_y, j * step_x), nby x nbx of them, all inside the map. out: nby * nbx * 5 * 5 doubles.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vector8.h"

enum { SIGNALS = 5, SUMS = 5 };

/* one signal's sums over a block: float64 lanes (the float32 lane sums of each row added in), counts in int32 lanes,
 * and the values past the last whole vector of each row in plain doubles */
typedef struct {
    v4d sq[2], neg_sq[2], absval[2];
    v8i neg, pos;
    double tail[SUMS];
} signal_sums;

static inline void add_to(v4d acc[2], v8f a) {
    float f[LANES];
    store(f, a);
    acc[0] += (v4d){f[0], f[1], f[2], f[3]};
    acc[1] += (v4d){f[4], f[5], f[6], f[7]};
}

static inline double total_of(const v4d acc[2]) {
    v4d t = acc[0] + acc[1];
    return (t[0] + t[1]) + (t[2] + t[3]);
}

/* the sums of one value per lane, two sets of lanes (even and odd vectors: independent additions) */
typedef struct {
    v8f sq[2], neg_sq[2], absval[2];
    v8i neg[2], pos[2];
} lane_sums;

static inline void add_values(lane_sums *s, int set, v8f v) {
    const v8f zero = splat(0.0f);
    v8i below = v < zero, above = v > zero;
    v8f m = (v8f)((v8i)v & below);
    s->sq[set] += v * v;
    s->neg_sq[set] += m * m;
    s->absval[set] += abs8(v);
    s->neg[set] -= below; /* a true lane is -1 */
    s->pos[set] -= above;
}

/* Adds the sums of x[0..n) - or of the products x[i] y[i] when y is given - (one block row, a few hundred values)
 * to `b`: float32 partial sums in vector lanes, added into float64 lanes once per row, so the rounding stays at a
 * row's worth. */
static inline void add_row(const float *x, const float *y, size_t n, signal_sums *b) {
    const v8f zf = splat(0.0f);
    const v8i zi = {0};
    lane_sums s = {{zf, zf}, {zf, zf}, {zf, zf}, {zi, zi}, {zi, zi}};
    size_t i = 0;
    if (y) {
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            add_values(&s, 0, load(x + i) * load(y + i));
            add_values(&s, 1, load(x + i + LANES) * load(y + i + LANES));
        }
        for (; i + LANES <= n; i += LANES) add_values(&s, 0, load(x + i) * load(y + i));
    } else {
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            add_values(&s, 0, load(x + i));
            add_values(&s, 1, load(x + i + LANES));
        }
        for (; i + LANES <= n; i += LANES) add_values(&s, 0, load(x + i));
    }
    add_to(b->sq, s.sq[0] + s.sq[1]);
    add_to(b->neg_sq, s.neg_sq[0] + s.neg_sq[1]);
    add_to(b->absval, s.absval[0] + s.absval[1]);
    b->neg += s.neg[0] + s.neg[1];
    b->pos += s.pos[0] + s.pos[1];
    for (; i < n; i++) {
        float v = y ? x[i] * y[i] : x[i], m = v < 0.0f ? v : 0.0f;
        b->tail[0] += v * v;
        b->tail[1] += m * m;
        b->tail[2] += v < 0.0f ? -v : v;
        b->tail[3] += v < 0.0f;
        b->tail[4] += v > 0.0f;
    }
}

/* the five signals' sums over one block (rows y0 .. y0 + bh, columns x0 .. x0 + bw) into out[SIGNALS * SUMS].
 * Built for x86-64-v3 and plain x86-64 (vector8.h). */
CLONES static void block_moments(const float *coeffs, size_t h, size_t w, size_t y0, size_t x0, size_t bh, size_t bw,
                                 double *out) {
    signal_sums b[SIGNALS];
    memset(b, 0, sizeof b);
    /* products with a right-hand neighbour exist up to column w - 2 */
    const size_t n_right = x0 + bw < w ? bw : w - 1 - x0;
    for (size_t y = y0; y < y0 + bh; y++) {
        const float *row = coeffs + y * w + x0;
        const float *below = y + 1 < h ? row + w : NULL;
        add_row(row, NULL, bw, &b[0]);
        add_row(row, row + 1, n_right, &b[1]);
        if (!below) continue;
        add_row(row, below, bw, &b[2]);
        add_row(row, below + 1, n_right, &b[3]);
        add_row(below, row + 1, n_right, &b[4]);
    }
    for (int k = 0; k < SIGNALS; k++) {
        double *o = out + k * SUMS;
        o[0] = total_of(b[k].sq) + b[k].tail[0];
        o[1] = total_of(b[k].neg_sq) + b[k].tail[1];
        o[2] = total_of(b[k].absval) + b[k].tail[2];
        double neg = 0.0, pos = 0.0;
        for (int i = 0; i < LANES; i++) {
            neg += b[k].neg[i];
            pos += b[k].pos[i];
        }
        o[3] = neg + b[k].tail[3];
        o[4] = pos + b[k].tail[4];
    }
}

void nss_block_moments(const float *coeffs, size_t h, size_t w, size_t bh, size_t bw, size_t step_y, size_t step_x,
                       size_t nby, size_t nbx, double *out) {
    for (size_t by = 0; by < nby; by++)
        for (size_t bx = 0; bx < nbx; bx++)
            block_moments(coeffs, h, w, by * step_y, bx * step_x, bh, bw, out + (by * nbx + bx) * SIGNALS * SUMS);
}
