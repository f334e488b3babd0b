/*
 * vecmath_avx2.c -- vecmath.c built with -mavx2 -mfma (see the Makefile);
 * acq_vec_ops() calls it only on CPUs that have AVX2 and FMA.
 */
#define ACQ_VEC_AVX2 1
#include "vecmath.c"
