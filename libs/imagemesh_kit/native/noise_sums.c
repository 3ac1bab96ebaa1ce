/* The pooling pass of the quality service's noise estimate (Immerkaer with Tai-Yang edge exclusion).
 *
 * Given the Immerkaer responses of a stack of equally sized tiles (RGB or gray) and the edge strength of the
 * same pixels, sums |response| over the pixels that are inside their tile (not on its 1-pixel border, the
 * filters' support) and whose edge strength is at most the threshold. In numpy/OpenCV that is a compare, a
 * mask, two abs passes, an opponent-colour transform and two masked means; here it is one pass.
 *
 * resp: rows x w x channels float32 (channels 1 or 3), edge: rows x w float32, tile_h: rows per tile.
 * weights: the luma weights (wr, wg, wb). out[4] receives, summed over the kept pixels:
 *   channels 3: |wr r + wg g + wb b|, (|r| + |g| + |b|) / 3, |r - g|, |(r + g) / 2 - b|
 *   channels 1: |v|, |v|, 0, 0
 * Returns the number of kept pixels.
 */
#include <math.h>
#include <stddef.h>

size_t noise_response_sums(const float *resp, const float *edge, size_t rows, size_t w, size_t channels,
                           size_t tile_h, float threshold, const double *weights, double *out) {
    const float wr = (float)weights[0], wg = (float)weights[1], wb = (float)weights[2];
    double luma = 0.0, mean_abs = 0.0, rg = 0.0, yb = 0.0;
    size_t kept = 0;
    out[0] = out[1] = out[2] = out[3] = 0.0;
    if (w < 3 || tile_h < 3) return 0;
    for (size_t y = 0; y < rows; y++) {
        size_t in_tile = y % tile_h;
        if (in_tile == 0 || in_tile == tile_h - 1) continue;
        const float *e = edge + y * w;
        const float *p = resp + y * w * channels;
        /* branch-free: which pixels the edge threshold keeps is as good as random, a branch would mispredict */
        float row_luma = 0.0f, row_abs = 0.0f, row_rg = 0.0f, row_yb = 0.0f, row_kept = 0.0f;
        if (channels == 3) {
            for (size_t x = 1; x + 1 < w; x++) {
                float keep = (float)(e[x] <= threshold);
                float r = p[3 * x], g = p[3 * x + 1], b = p[3 * x + 2];
                row_luma += keep * fabsf(wr * r + wg * g + wb * b);
                row_abs += keep * (fabsf(r) + fabsf(g) + fabsf(b));
                row_rg += keep * fabsf(r - g);
                row_yb += keep * fabsf(0.5f * (r + g) - b);
                row_kept += keep;
            }
        } else {
            for (size_t x = 1; x + 1 < w; x++) {
                float keep = (float)(e[x] <= threshold);
                row_abs += keep * fabsf(p[x]);
                row_kept += keep;
            }
        }
        luma += row_luma;
        mean_abs += row_abs;
        rg += row_rg;
        yb += row_yb;
        kept += (size_t)row_kept; /* exact: a row has far fewer than 2^24 pixels */
    }
    out[0] = channels == 3 ? luma : mean_abs;
    out[1] = mean_abs / (channels == 3 ? 3.0 : 1.0);
    out[2] = rg;
    out[3] = yb;
    return kept;
}
