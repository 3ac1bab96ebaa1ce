/* 8-bit RGB pixels -> the quality service's working image, row by row.
 *
 * The working image (services/quality/domain/working_image.py) is float32 RGB in [0, 1], its Rec. 709 luma, and a
 * strided sample of both (every k-th pixel of every k-th row) that the histogram statistics read. In numpy and
 * OpenCV that is a widening multiply, a colour transform and two strided gathers - four passes over 30 MB for a
 * 2 MP photo; here each row is converted, its luma taken and its sample copied while it is in cache. The work is
 * bound by writing the 16 bytes per pixel of the result: ~3.5 ms for 2 MP against ~4.5 ms.
 *
 * src: rows x cols x 3 uint8, rows `src_stride` bytes apart. weights: the luma weights (wr, wg, wb).
 * rgb: rows x cols x 3 float32; gray: rows x cols float32 (both contiguous).
 * k > 1: rgb_sample (ceil(rows / k) x ceil(cols / k) x 3) and gray_sample (same, 1 channel) receive the pixels at
 * (k i, k j); k = 1: the samples are not written (the image is its own sample).
 * Values: v / 255 as float32 (v * float(1 / 255), what numpy's float32 multiply gives); luma wr r + wg g + wb b
 * summed in float32 in that order.
 */
#include <stddef.h>
#include <stdint.h>

void rgb8_to_unit(const uint8_t *src, size_t rows, size_t cols, size_t src_stride, size_t k, const double *weights,
                  float *rgb, float *gray, float *rgb_sample, float *gray_sample) {
    const float scale = (float)(1.0 / 255.0);
    const float wr = (float)weights[0], wg = (float)weights[1], wb = (float)weights[2];
    const size_t sample_cols = k > 1 ? (cols + k - 1) / k : 0;
    for (size_t y = 0; y < rows; y++) {
        const uint8_t *s = src + y * src_stride;
        float *o = rgb + y * cols * 3, *g = gray + y * cols;
        /* two simple loops the compiler vectorises: the samples as they are laid out, then the luma */
        for (size_t i = 0; i < 3 * cols; i++) o[i] = (float)s[i] * scale;
        for (size_t x = 0; x < cols; x++) g[x] = wr * o[3 * x] + wg * o[3 * x + 1] + wb * o[3 * x + 2];
        if (sample_cols && y % k == 0) {
            float *so = rgb_sample + (y / k) * sample_cols * 3, *sg = gray_sample + (y / k) * sample_cols;
            for (size_t j = 0; j < sample_cols; j++) {
                so[3 * j] = o[3 * j * k];
                so[3 * j + 1] = o[3 * j * k + 1];
                so[3 * j + 2] = o[3 * j * k + 2];
                sg[j] = g[j * k];
            }
        }
    }
}
