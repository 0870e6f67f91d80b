// The CPU's own fp32 FMA ceiling, for reading llvmpipe's and onnxruntime-web wasm's conv GFLOP/s
// against the hardware (BENCHMARKS.md, "What bounds the conv kernels on a CPU-only machine"):
// 12 independent FMA chains per thread (enough to cover FMA latency on current x86 cores), in
// registers, 256-bit (AVX2, the width llvmpipe reports) and 512-bit (AVX-512), on 1 and 2
// threads. Not part of neurad; a measuring stick. x86-64 with AVX-512 only.
// Build and run: gcc -O2 -mavx2 -mfma -mavx512f -pthread bench/cpu/fma_peak.c -o /tmp/fma_peak
//                && /tmp/fma_peak
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 12
#define STEPS (200000000L / CHAINS)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *run256(void *out) {
  __m256 a[CHAINS];
  const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps((float)i);
  for (long it = 0; it < STEPS; it++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  float s = 0, t[8];
  for (int i = 0; i < CHAINS; i++) {
    _mm256_storeu_ps(t, a[i]);
    s += t[0];
  }
  *(float *)out = s; // keeps the chains alive
  return 0;
}

static void *run512(void *out) {
  __m512 a[CHAINS];
  const __m512 b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < STEPS; it++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  float s = 0;
  for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  *(float *)out = s;
  return 0;
}

int main(void) {
  float sink[2];
  for (int bits = 256; bits <= 512; bits += 256) {
    for (int threads = 1; threads <= 2; threads++) {
      pthread_t t[2];
      double t0 = now();
      for (int i = 0; i < threads; i++)
        pthread_create(&t[i], 0, bits == 256 ? run256 : run512, &sink[i]);
      for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
      double flops = threads * (double)STEPS * CHAINS * (bits / 32) * 2;
      printf("%d-bit FMA, %d thread(s): %.1f GFLOP/s\n", bits, threads, flops / (now() - t0) / 1e9);
    }
  }
  return 0;
}
