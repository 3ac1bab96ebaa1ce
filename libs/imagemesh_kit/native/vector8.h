/* Eight floats (or four doubles) at a time with GCC/clang vector extensions, shared by the kernels written with
 * them (bilateral.c, ssim_terms.c, mscn.c, nss_moments.c, log_sums.c, noise_sums.c): one source that
 * vectorises for any target. CLONES builds a function twice - for x86-64-v3 (AVX2, FMA contracted) and for plain
 * x86-64 - and the CPU picks at load time (GCC on x86-64 with glibc, whose loader resolves the ifunc; elsewhere one
 * plain build). */
#ifndef IMAGEMESH_VECTOR8_H
#define IMAGEMESH_VECTOR8_H

#include <stdint.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi" /* 32-byte vectors between static functions: no ABI crosses the library */
#endif

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef float v8f_unaligned __attribute__((vector_size(32), aligned(4)));
#define LANES 8

static inline v8f splat(float v) { return (v8f){v, v, v, v, v, v, v, v}; }
static inline v8f load(const float *p) { return *(const v8f_unaligned *)p; }
static inline void store(float *p, v8f v) { *(v8f_unaligned *)p = v; }

/* four doubles, for the sums float32 would round too coarsely (mscn.c, nss_moments.c) */
typedef double v4d __attribute__((vector_size(32)));
typedef double v4d_unaligned __attribute__((vector_size(32), aligned(8)));
static inline v4d splat4d(double v) { return (v4d){v, v, v, v}; }
static inline v4d load4d(const double *p) { return *(const v4d_unaligned *)p; }
static inline void store4d(double *p, v4d v) { *(v4d_unaligned *)p = v; }

/* |v| lane by lane: the sign bit cleared (exact, and the same for every build) */
typedef int64_t v4l __attribute__((vector_size(32)));
static inline v8f abs8(v8f v) { return (v8f)((v8i)v & ((v8i){0} + INT32_MAX)); }
static inline v4d abs4d(v4d v) { return (v4d)((v4l)v & ((v4l){0} + INT64_MAX)); }

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && defined(__GLIBC__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default"), optimize("fp-contract=fast")))
/* the same two builds without contracting a * b + c into one rounding: results equal to the plain build's, bit for
 * bit (for code whose float operations must not change: noise_sums.c, ycc_steps.c, unit_rgb.c) */
#define CLONES_EXACT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#define CLONES_EXACT
#endif

#endif
