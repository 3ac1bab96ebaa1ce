/* The moments of the opponent colour planes behind colourfulness (Hasler & Suesstrunk; the quality service's
 * metrics/colorfulness.py has the numpy form): for n float32 RGB pixels, rg = R - G and yb = (R + G) * 0.5 - B, each
 * formed in float32 exactly as numpy forms it, and out = {sum rg, sum yb, sum rg^2, sum yb^2} in float64 - one pass
 * over the pixels where the numpy form makes four strided passes and OpenCV's meanStdDev a fifth. */
#include <stddef.h>

void opponent_moments(const float *rgb, size_t n, double *out) {
    double s_rg = 0.0, s_yb = 0.0, q_rg = 0.0, q_yb = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *p = rgb + 3 * i;
        float rg = p[0] - p[1];
        float yb = (p[0] + p[1]) * 0.5f - p[2];
        s_rg += rg;
        s_yb += yb;
        q_rg += (double)rg * rg;
        q_yb += (double)yb * yb;
    }
    out[0] = s_rg;
    out[1] = s_yb;
    out[2] = q_rg;
    out[3] = q_yb;
}
