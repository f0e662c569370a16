// Direct 'valid' convolutions for narrow nets (1-12 channels), float32, NCHW, on the CPU.
//
// oneDNN is tuned for wide layers; with 1-12 channels most of its vector lanes idle and its
// backward pass dominates training (ibutils/kernels.py has the measurements). These kernels
// vectorise along the image row instead: a block of 16 output columns of every output channel
// stays in registers while the input rows stream past. Built on first use by
// torch.utils.cpp_extension (see kernels.py); the output-channel count is a template
// parameter so the accumulators can live in registers.
#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr int V = 16;  // output columns per block (one AVX-512 register of floats)
typedef float vf __attribute__((vector_size(V * sizeof(float))));  // GCC/Clang vector type

inline vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

inline vf splat(float a) { return vf{} + a; }

typedef int32_t vi __attribute__((vector_size(V * sizeof(int32_t))));

// exp(x) for 0 <= x <= 18 (Cephes expf: x = n ln2 + r, |r| <= ln2 / 2, degree-6 polynomial)
inline vf vexp(vf x) {
  const vf n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(x / ln2)
  const vf r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  vf p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const vi scale = (__builtin_convertvector(n, vi) + 127) << 23;  // 2**n as float bits
  return p * (vf)scale;
}

// tanh(x), float32, within 2 ulp of the exact value (1.27 ulp measured; Cephes tanhf: an odd
// polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1) above, |x| clamped at 9, where tanh
// is within an ulp of 1)
inline vf vtanh(vf x) {
  const vi sign = (vi)x & (vi{} + INT32_MIN);  // the sign bit (splat(-0.0f) would be +0.0f)
  const vf ax = (vf)((vi)x ^ sign);
  const vf z = x * x;
  vf small = splat(-5.70498872745e-3f);
  small = small * z + 2.06390887954e-2f;
  small = small * z - 5.37397155531e-2f;
  small = small * z + 1.33314422036e-1f;
  small = small * z - 3.33332819422e-1f;
  small = small * z * x + x;
  const vf clamped = (vf)((vi)ax & (vi)(ax < 9.0f)) + (vf)((vi)splat(9.0f) & ~(vi)(ax < 9.0f));
  const vf large = (vf)((vi)(1.0f - 2.0f / (vexp(2.0f * clamped) + 1.0f)) | sign);
  const vi use_small = ax < 0.625f;
  return (vf)(((vi)small & use_small) | ((vi)large & ~use_small));
}

// out[co, h, w] = bias[co] + sum_{ci, i, j} wt[co, ci, i, j] * x[ci, h + i, w + j], one image.
// Two output rows at a time (2 x CO independent accumulators hide the FMA latency; input
// row h + r feeds kernel row r of the first and r - 1 of the second). Needs Wo >= V: the
// last block of a row starts at Wo - V and recomputes a few columns.
template <int CO, bool TANH>
void forward_image(const float* x, const float* wt, const float* bias, float* out,
                   int64_t ci_n, int64_t H, int64_t W, int64_t k) {
  const int64_t Ho = H - k + 1, Wo = W - k + 1, wstride = ci_n * k * k;
  for (int64_t h = 0; h < Ho; h += 2) {
    const bool pair = h + 1 < Ho;
    for (int64_t w0 = 0; w0 < Wo; w0 += V) {
      const int64_t s = std::min(w0, Wo - V);
      vf a0[CO], a1[CO];
      for (int co = 0; co < CO; ++co) a0[co] = a1[co] = splat(bias[co]);
      for (int64_t ci = 0; ci < ci_n; ++ci) {
        for (int64_t r = 0; r < k + pair; ++r) {
          const float* row = x + (ci * H + h + r) * W + s;
          const float* w_top = wt + (ci * k + r) * k;       // kernel row r, first output row
          const float* w_bot = wt + (ci * k + r - 1) * k;   // kernel row r - 1, second row
          const bool top = r < k, bot = pair && r >= 1;
          for (int64_t j = 0; j < k; ++j) {
            const vf xv = load(row + j);
            if (top)
              for (int co = 0; co < CO; ++co) a0[co] += w_top[co * wstride + j] * xv;
            if (bot)
              for (int co = 0; co < CO; ++co) a1[co] += w_bot[co * wstride + j] * xv;
          }
        }
      }
      for (int co = 0; co < CO; ++co) {
        store(out + (co * Ho + h) * Wo + s, TANH ? vtanh(a0[co]) : a0[co]);
        if (pair) store(out + (co * Ho + h + 1) * Wo + s, TANH ? vtanh(a1[co]) : a1[co]);
      }
    }
  }
}

inline float hsum(vf v) {  // sum of a vector's lanes
  float total = 0.0f;
  for (int l = 0; l < V; ++l) total += v[l];
  return total;
}

// gb[co] += sum of one image's output gradient of channel co (both weight-gradient kernels)
template <int CO>
void add_bias_grad(const float* g, float* gb, int64_t pixels) {
  for (int co = 0; co < CO; ++co) {
    float total = 0.0f;
    for (int64_t p = 0; p < pixels; ++p) total += g[co * pixels + p];
    gb[co] += total;
  }
}

// gw[co, ci, i, j] += sum_{h, w} g[co, h, w] * x[ci, h + i, w + j] and gb[co] += sum g[co],
// one image. Overlapping lanes of a row's last block are masked so no column counts twice.
template <int CO>
void weight_grad_image(const float* x, const float* g, float* gw, float* gb,
                       int64_t ci_n, int64_t H, int64_t W, int64_t k) {
  const int64_t Ho = H - k + 1, Wo = W - k + 1;
  vf tail = {};  // 0 for the lanes the last block shares with the one before it
  const int64_t last = std::min(((Wo - 1) / V) * V, Wo - V), skip = ((Wo - 1) / V) * V - last;
  for (int l = 0; l < V; ++l) tail[l] = l >= skip ? 1.0f : 0.0f;
  for (int64_t ci = 0; ci < ci_n; ++ci) {
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = 0; j < k; ++j) {
        vf a0[CO], a1[CO];  // even and odd rows: two independent chains per channel
        for (int co = 0; co < CO; ++co) a0[co] = a1[co] = vf{};
        for (int64_t w0 = 0; w0 < Wo; w0 += V) {
          const int64_t s = std::min(w0, Wo - V);
          const vf mask = w0 != s ? tail : splat(1.0f);
          int64_t h = 0;
          for (; h + 1 < Ho; h += 2) {
            const vf x0 = load(x + (ci * H + h + i) * W + j + s) * mask;
            const vf x1 = load(x + (ci * H + h + 1 + i) * W + j + s) * mask;
            for (int co = 0; co < CO; ++co) {
              a0[co] += load(g + (co * Ho + h) * Wo + s) * x0;
              a1[co] += load(g + (co * Ho + h + 1) * Wo + s) * x1;
            }
          }
          if (h < Ho) {
            const vf x0 = load(x + (ci * H + h + i) * W + j + s) * mask;
            for (int co = 0; co < CO; ++co) a0[co] += load(g + (co * Ho + h) * Wo + s) * x0;
          }
        }
        for (int co = 0; co < CO; ++co) {
          gw[((co * ci_n + ci) * k + i) * k + j] += hsum(a0[co] + a1[co]);
        }
      }
    }
  }
  add_bias_grad<CO>(g, gb, Ho * Wo);
}

// The same gradient for a kernel size known at compile time: for each input row (ci, h + i)
// and block of columns, the CO output-gradient vectors are loaded once and the K shifted
// input vectors once, feeding CO x K accumulators held in registers (about half the loads
// per multiply-add of the version above).
template <int CO, int K>
void weight_grad_image_k(const float* x, const float* g, float* gw, float* gb,
                         int64_t ci_n, int64_t H, int64_t W) {
  const int64_t Ho = H - K + 1, Wo = W - K + 1;
  vf tail = {};
  const int64_t last = std::min(((Wo - 1) / V) * V, Wo - V), skip = ((Wo - 1) / V) * V - last;
  for (int l = 0; l < V; ++l) tail[l] = l >= skip ? 1.0f : 0.0f;
  for (int64_t ci = 0; ci < ci_n; ++ci) {
    for (int i = 0; i < K; ++i) {
      vf acc[CO][K];
      for (int co = 0; co < CO; ++co)
        for (int j = 0; j < K; ++j) acc[co][j] = vf{};
      for (int64_t h = 0; h < Ho; ++h) {
        const float* row = x + (ci * H + h + i) * W;
        for (int64_t w0 = 0; w0 < Wo; w0 += V) {
          const int64_t s = std::min(w0, Wo - V);
          vf gv[CO];
          for (int co = 0; co < CO; ++co) {
            gv[co] = load(g + (co * Ho + h) * Wo + s);
            if (w0 != s) gv[co] *= tail;
          }
          for (int j = 0; j < K; ++j) {
            const vf xv = load(row + s + j);
            for (int co = 0; co < CO; ++co) acc[co][j] += gv[co] * xv;
          }
        }
      }
      for (int co = 0; co < CO; ++co)
        for (int j = 0; j < K; ++j) gw[((co * ci_n + ci) * K + i) * K + j] += hsum(acc[co][j]);
    }
  }
  add_bias_grad<CO>(g, gb, Ho * Wo);
}

template <int CO>
void weight_grad_any(const float* x, const float* g, float* gw, float* gb, int64_t ci_n,
                     int64_t H, int64_t W, int64_t k) {
  switch (k) {
    case 3: return weight_grad_image_k<CO, 3>(x, g, gw, gb, ci_n, H, W);
    case 5: return weight_grad_image_k<CO, 5>(x, g, gw, gb, ci_n, H, W);
    case 7: return weight_grad_image_k<CO, 7>(x, g, gw, gb, ci_n, H, W);
  }
  weight_grad_image<CO>(x, g, gw, gb, ci_n, H, W, k);
}

void check(const torch::Tensor& x, const torch::Tensor& wt) {
  TORCH_CHECK(x.dim() == 4 && wt.dim() == 4, "x and weight must be 4-D (NCHW, OIHW)");
  TORCH_CHECK(x.scalar_type() == torch::kFloat && wt.scalar_type() == torch::kFloat,
              "float32 only");
  TORCH_CHECK(x.size(1) == wt.size(1) && wt.size(2) == wt.size(3), "shape mismatch");
  TORCH_CHECK(x.size(3) - wt.size(3) + 1 >= V, "output rows narrower than 16 columns");
}

template <int CO, bool TANH>
torch::Tensor forward_impl(torch::Tensor x, torch::Tensor wt, torch::Tensor bias) {
  const int64_t B = x.size(0), ci_n = x.size(1), H = x.size(2), W = x.size(3), k = wt.size(2);
  const int64_t Ho = H - k + 1, Wo = W - k + 1;
  auto out = torch::empty({B, CO, Ho, Wo}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* wp = wt.data_ptr<float>();
  const float* bp = bias.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b)
      forward_image<CO, TANH>(xp + b * ci_n * H * W, wp, bp, op + b * CO * Ho * Wo, ci_n, H, W,
                              k);
  });
  return out;
}

template <int CO>
std::vector<torch::Tensor> weight_grad_impl(torch::Tensor x, torch::Tensor g, int64_t k) {
  const int64_t B = x.size(0), ci_n = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t Ho = H - k + 1, Wo = W - k + 1;
  const int64_t nw = CO * ci_n * k * k, threads = at::get_num_threads();
  auto partial = torch::zeros({threads, nw + CO}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* gp = g.data_ptr<float>();
  float* pp = partial.data_ptr<float>();
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    float* mine = pp + at::get_thread_num() * (nw + CO);
    for (int64_t b = b0; b < b1; ++b)
      weight_grad_any<CO>(xp + b * ci_n * H * W, gp + b * CO * Ho * Wo, mine, mine + nw,
                          ci_n, H, W, k);
  });
  auto total = partial.sum(0);
  return {total.narrow(0, 0, nw).view({CO, ci_n, k, k}), total.narrow(0, nw, CO)};
}

}  // namespace

template <bool TANH>
torch::Tensor forward_any(torch::Tensor x, torch::Tensor wt, torch::Tensor bias) {
  check(x, wt);
  x = x.contiguous();
  wt = wt.contiguous();
  bias = bias.contiguous();
  switch (wt.size(0)) {
    case 1: return forward_impl<1, TANH>(x, wt, bias);
    case 3: return forward_impl<3, TANH>(x, wt, bias);
    case 6: return forward_impl<6, TANH>(x, wt, bias);
    case 12: return forward_impl<12, TANH>(x, wt, bias);
  }
  TORCH_CHECK(false, "output channels must be 1, 3, 6 or 12");
}

torch::Tensor conv_forward(torch::Tensor x, torch::Tensor wt, torch::Tensor bias) {
  return forward_any<false>(x, wt, bias);
}

torch::Tensor conv_tanh_forward(torch::Tensor x, torch::Tensor wt, torch::Tensor bias) {
  return forward_any<true>(x, wt, bias);
}

torch::Tensor tanh_elementwise(torch::Tensor x) {  // for tests: the fused tanh, any float32
  TORCH_CHECK(x.scalar_type() == torch::kFloat, "float32 only");
  auto src = x.contiguous().view(-1);
  auto out = torch::empty_like(src);
  const int64_t n = src.numel(), whole = n / V * V;
  const float* sp = src.data_ptr<float>();
  float* op = out.data_ptr<float>();
  for (int64_t i = 0; i < whole; i += V) store(op + i, vtanh(load(sp + i)));
  if (whole < n) {
    float buf[V] = {};
    std::memcpy(buf, sp + whole, (n - whole) * sizeof(float));
    const vf r = vtanh(load(buf));
    std::memcpy(op + whole, &r, (n - whole) * sizeof(float));
  }
  return out.view(x.sizes());
}

std::vector<torch::Tensor> conv_weight_grad(torch::Tensor x, torch::Tensor g, int64_t k) {
  TORCH_CHECK(x.scalar_type() == torch::kFloat && g.scalar_type() == torch::kFloat,
              "float32 only");
  x = x.contiguous();
  g = g.contiguous();
  switch (g.size(1)) {
    case 1: return weight_grad_impl<1>(x, g, k);
    case 3: return weight_grad_impl<3>(x, g, k);
    case 6: return weight_grad_impl<6>(x, g, k);
    case 12: return weight_grad_impl<12>(x, g, k);
  }
  TORCH_CHECK(false, "output channels must be 1, 3, 6 or 12");
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("conv_forward", &conv_forward, "valid conv2d, NCHW float32, 1-12 channels");
  m.def("conv_tanh_forward", &conv_tanh_forward, "tanh(conv_forward(x, weight, bias))");
  m.def("conv_weight_grad", &conv_weight_grad, "weight and bias gradient of conv_forward");
  m.def("tanh", &tanh_elementwise, "the tanh of conv_tanh_forward, elementwise");
}
