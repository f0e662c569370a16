// Binning and row hashing of a layer's activations in one read of memory (ibutils.mi).
//
// Binned I(X;T) needs, for each input (row), the pattern of its units' bin indices, and how
// many rows share each pattern. ibutils.mi hashes every binned row and then verifies rows
// that share a hash bin by bin, so the hash only has to send equal rows to equal values.
// This kernel bins each value in registers and adds it, times a per-unit key, into two
// 32-bit accumulators (wrapping arithmetic, exact and order-independent), so the (N, D)
// array is read once and the binned array is never written. Built on first use by
// torch.utils.cpp_extension (see ibutils/kernels.py); the same float32 operations as the
// numpy path give the same bin indices.
#include <torch/extension.h>

#include <cmath>
#include <cstdint>
#include <tuple>

namespace {

// rule 0: floor(x * a); rule 1: min(floor((x - a) * b), top). float32 like the numpy path.
template <int RULE>
void hash_rows(const float* t, int64_t n, int64_t d, float a, float b, float top,
               const uint32_t* k0, const uint32_t* k1, int64_t* out, int64_t* bad) {
  int64_t nonfinite = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = t + i * d;
    uint32_t h0 = 0, h1 = 0, off = 0;
    for (int64_t j = 0; j < d; ++j) {
      const float x = row[j];
      float v = RULE == 0 ? std::floor(x * a) : std::floor((x - a) * b);
      if (RULE == 1) v = v < top ? v : top;
      // NaN, infinite, or a bin index beyond int32: flag the row, and keep the cast defined
      const bool ok = std::fabs(v) <= 1.0e9f;
      off |= !ok;
      const uint32_t bin = static_cast<uint32_t>(static_cast<int32_t>(ok ? v : 0.0f));
      h0 += bin * k0[j];
      h1 += bin * k1[j];
    }
    nonfinite += off;
    out[i] = static_cast<int64_t>((static_cast<uint64_t>(h0) << 32) | h1);
  }
  *bad = nonfinite;
}

// Hashes of the rows of t (N x D, float32, contiguous) under a binning rule, and the number
// of rows holding a NaN, an infinite value or a bin index beyond 1e9 (their hashes are
// meaningless; the caller falls back or reports the bad values).
std::tuple<torch::Tensor, int64_t> bin_hash(torch::Tensor t, int64_t rule, double a, double b,
                                             int64_t top, torch::Tensor keys) {
  TORCH_CHECK(t.dim() == 2 && t.scalar_type() == torch::kFloat32 && t.is_contiguous(),
              "t: a contiguous 2-D float32 tensor");
  TORCH_CHECK(keys.dim() == 2 && keys.size(0) == 2 && keys.size(1) == t.size(1) &&
                  keys.scalar_type() == torch::kInt32 && keys.is_contiguous(),
              "keys: a contiguous (2, D) int32 tensor");
  TORCH_CHECK(rule == 0 || rule == 1, "rule: 0 (bin width) or 1 (bins over a range)");
  const int64_t n = t.size(0), d = t.size(1);
  auto out = torch::empty({n}, torch::kInt64);
  int64_t bad = 0;
  const auto* k = reinterpret_cast<const uint32_t*>(keys.data_ptr<int32_t>());
  {
    pybind11::gil_scoped_release release;  // callers split rows over threads
    if (rule == 0)
      hash_rows<0>(t.data_ptr<float>(), n, d, static_cast<float>(a), 0.f, 0.f, k, k + d,
                   out.data_ptr<int64_t>(), &bad);
    else
      hash_rows<1>(t.data_ptr<float>(), n, d, static_cast<float>(a), static_cast<float>(b),
                   static_cast<float>(top), k, k + d, out.data_ptr<int64_t>(), &bad);
  }
  return {out, bad};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("bin_hash", &bin_hash, "hash of every binned row of a float32 matrix, one pass");
}
