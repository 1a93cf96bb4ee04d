;; Weight quantization kernels in WebAssembly SIMD128, the fast path of engine/quantize/kernels/arithmetic.ts (which holds
;; the JS reference they must match bit for bit). Assembled by scripts/build-wasm.ts into kernels-wasm.generated.ts.
;;
;; Rounding: q = nearest-even(fround(w × inv)) + zero point. The product is an f32 multiply; nearest-even is taken by
;; adding 1.5 × 2^23 (the sum's low mantissa bits are then the rounded integer), exact for |w × inv| < 2^22, which
;; the callers guarantee (they check |range × inv| first, or the kernel does and reports failure). The per-channel
;; constant `kk` = 0x4B400000 − (zero point + bias) turns the sum's bits into the biased integer with one subtract.
;; 8-bit outputs are produced biased into 0…255 (bias 128 for int8) and flipped back with a xor of 0x80.
;;
;; Memory: the 4-bit kernels use 1 KB of scratch at $scratch (set_scratch; 0 by default, another per thread that
;; shares the memory); callers place their buffers after the scratch of every thread.
(module
  (memory (export "memory") 1)
  (global $scratch (mut i32) (i32.const 0))
  (func (export "set_scratch") (param $at i32) (global.set $scratch (local.get $at)))

  ;; Per-column min and max of `rows` rows of `stride` floats (stride a multiple of 16), folded into mn[] and mx[]
  ;; with JS's comparisons (`v < lo`, `v > hi`: pmin/pmax, so NaN is skipped as in JS). Returns 1 when the running
  ;; sum of the values is not finite (a NaN or infinity was seen, or the sum overflowed): the caller then uses JS.
  (func $minmax_cols (export "minmax_cols") (param $src i32) (param $rows i32) (param $stride i32) (param $mn i32) (param $mx i32) (result i32)
    (local $c i32) (local $p i32) (local $r i32) (local $rowBytes i32)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $sum v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (if (i32.eqz (local.get $rows)) (then (return (i32.const 0))))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $l0 (v128.load offset=0 (i32.add (local.get $mn) (local.get $c))))
        (local.set $l1 (v128.load offset=16 (i32.add (local.get $mn) (local.get $c))))
        (local.set $l2 (v128.load offset=32 (i32.add (local.get $mn) (local.get $c))))
        (local.set $l3 (v128.load offset=48 (i32.add (local.get $mn) (local.get $c))))
        (local.set $h0 (v128.load offset=0 (i32.add (local.get $mx) (local.get $c))))
        (local.set $h1 (v128.load offset=16 (i32.add (local.get $mx) (local.get $c))))
        (local.set $h2 (v128.load offset=32 (i32.add (local.get $mx) (local.get $c))))
        (local.set $h3 (v128.load offset=48 (i32.add (local.get $mx) (local.get $c))))
        (local.set $p (i32.add (local.get $src) (local.get $c)))
        (local.set $r (local.get $rows))
        (loop $down
          (local.set $v0 (v128.load offset=0 (local.get $p)))
          (local.set $v1 (v128.load offset=16 (local.get $p)))
          (local.set $v2 (v128.load offset=32 (local.get $p)))
          (local.set $v3 (v128.load offset=48 (local.get $p)))
          (local.set $l0 (f32x4.pmin (local.get $l0) (local.get $v0)))
          (local.set $l1 (f32x4.pmin (local.get $l1) (local.get $v1)))
          (local.set $l2 (f32x4.pmin (local.get $l2) (local.get $v2)))
          (local.set $l3 (f32x4.pmin (local.get $l3) (local.get $v3)))
          (local.set $h0 (f32x4.pmax (local.get $h0) (local.get $v0)))
          (local.set $h1 (f32x4.pmax (local.get $h1) (local.get $v1)))
          (local.set $h2 (f32x4.pmax (local.get $h2) (local.get $v2)))
          (local.set $h3 (f32x4.pmax (local.get $h3) (local.get $v3)))
          (local.set $sum (f32x4.add (local.get $sum)
            (f32x4.add (f32x4.add (local.get $v0) (local.get $v1)) (f32x4.add (local.get $v2) (local.get $v3)))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (br_if $down (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
        (v128.store offset=0 (i32.add (local.get $mn) (local.get $c)) (local.get $l0))
        (v128.store offset=16 (i32.add (local.get $mn) (local.get $c)) (local.get $l1))
        (v128.store offset=32 (i32.add (local.get $mn) (local.get $c)) (local.get $l2))
        (v128.store offset=48 (i32.add (local.get $mn) (local.get $c)) (local.get $l3))
        (v128.store offset=0 (i32.add (local.get $mx) (local.get $c)) (local.get $h0))
        (v128.store offset=16 (i32.add (local.get $mx) (local.get $c)) (local.get $h1))
        (v128.store offset=32 (i32.add (local.get $mx) (local.get $c)) (local.get $h2))
        (v128.store offset=48 (i32.add (local.get $mx) (local.get $c)) (local.get $h3))
        (local.set $c (i32.add (local.get $c) (i32.const 64)))
        (br $cols)))
    (call $not_finite (local.get $sum)))

  ;; 1 when a lane of v is NaN or infinite (v − v is then NaN, which is not equal to 0).
  (func $not_finite (param $v v128) (result i32)
    (i32.eqz (i32x4.all_true (f32x4.eq (f32x4.sub (local.get $v) (local.get $v)) (v128.const f32x4 0 0 0 0)))))

  ;; Min and max of `len` contiguous floats folded into the floats at $mn and $mx; returns 1 when not finite (as above).
  (func (export "minmax_span") (param $src i32) (param $len i32) (param $mn i32) (param $mx i32) (result i32)
    (local $p i32) (local $end i32) (local $lo v128) (local $hi v128) (local $v v128) (local $sum v128)
    (local $x f32) (local $a f32) (local $b f32) (local $s f32) (local $i i32)
    (local.set $lo (f32x4.splat (f32.load (local.get $mn))))
    (local.set $hi (f32x4.splat (f32.load (local.get $mx))))
    (local.set $p (local.get $src))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (f32x4.pmin (local.get $lo) (local.get $v)))
        (local.set $hi (f32x4.pmax (local.get $hi) (local.get $v)))
        (local.set $sum (f32x4.add (local.get $sum) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    ;; Fold the lanes, then the tail, with the scalar comparisons.
    (local.set $a (f32x4.extract_lane 0 (local.get $lo)))
    (local.set $b (f32x4.extract_lane 0 (local.get $hi)))
    (local.set $x (f32x4.extract_lane 1 (local.get $lo)))
    (local.set $a (select (local.get $x) (local.get $a) (f32.lt (local.get $x) (local.get $a))))
    (local.set $x (f32x4.extract_lane 2 (local.get $lo)))
    (local.set $a (select (local.get $x) (local.get $a) (f32.lt (local.get $x) (local.get $a))))
    (local.set $x (f32x4.extract_lane 3 (local.get $lo)))
    (local.set $a (select (local.get $x) (local.get $a) (f32.lt (local.get $x) (local.get $a))))
    (local.set $x (f32x4.extract_lane 1 (local.get $hi)))
    (local.set $b (select (local.get $x) (local.get $b) (f32.gt (local.get $x) (local.get $b))))
    (local.set $x (f32x4.extract_lane 2 (local.get $hi)))
    (local.set $b (select (local.get $x) (local.get $b) (f32.gt (local.get $x) (local.get $b))))
    (local.set $x (f32x4.extract_lane 3 (local.get $hi)))
    (local.set $b (select (local.get $x) (local.get $b) (f32.gt (local.get $x) (local.get $b))))
    (local.set $i (i32.and (local.get $len) (i32.const 3)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.eqz (local.get $i)))
        (local.set $x (f32.load (local.get $p)))
        (local.set $a (select (local.get $x) (local.get $a) (f32.lt (local.get $x) (local.get $a))))
        (local.set $b (select (local.get $x) (local.get $b) (f32.gt (local.get $x) (local.get $b))))
        (local.set $s (f32.add (local.get $s) (local.get $x)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $tail)))
    (f32.store (local.get $mn) (local.get $a))
    (f32.store (local.get $mx) (local.get $b))
    (i32.or (call $not_finite (local.get $sum)) (call $not_finite (f32x4.splat (local.get $s)))))

  ;; 8-bit quantization of the first $cols16 columns (a multiple of 16) of `rows` rows of `stride` floats, with one
  ;; inverse scale inv[c] and one constant kk[c] per column; clamps the biased integer to [lo, hi], xors with flip and
  ;; writes $cols16 bytes a row at a row stride of $dstStride bytes. With the full range [0, 255] (int8 or uint8 without
  ;; reduced range) the saturating narrowings do the clamping.
  (func $quant_cols (export "quant_cols") (param $src i32) (param $rows i32) (param $stride i32) (param $cols16 i32) (param $inv i32) (param $kk i32)
    (param $lo i32) (param $hi i32) (param $flip i32) (param $dst i32) (param $dstStride i32)
    (local $c i32) (local $p i32) (local $d i32) (local $r i32) (local $rowBytes i32) (local $full i32)
    (local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local $lo16 v128) (local $hi16 v128) (local $fl v128) (local $magic v128)
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $lo16 (i16x8.splat (local.get $lo)))
    (local.set $hi16 (i16x8.splat (local.get $hi)))
    (local.set $fl (i8x16.splat (local.get $flip)))
    (local.set $full (i32.and (i32.eqz (local.get $lo)) (i32.eq (local.get $hi) (i32.const 255))))
    (if (i32.eqz (local.get $rows)) (then (return)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $c) (local.get $cols16)))
        (local.set $p (i32.add (local.get $inv) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $i0 (v128.load offset=0 (local.get $p)))
        (local.set $i1 (v128.load offset=16 (local.get $p)))
        (local.set $i2 (v128.load offset=32 (local.get $p)))
        (local.set $i3 (v128.load offset=48 (local.get $p)))
        (local.set $p (i32.add (local.get $kk) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $k0 (v128.load offset=0 (local.get $p)))
        (local.set $k1 (v128.load offset=16 (local.get $p)))
        (local.set $k2 (v128.load offset=32 (local.get $p)))
        (local.set $k3 (v128.load offset=48 (local.get $p)))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (local.get $c)))
        (local.set $r (local.get $rows))
        (if (local.get $full)
          (then
            ;; The full range 0…255: the saturating narrowings clamp, no min/max needed.
            (loop $downFull
              (v128.store (local.get $d) (v128.xor (local.get $fl)
                (i8x16.narrow_i16x8_u
                  (i16x8.narrow_i32x4_s
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $i0)) (local.get $magic)) (local.get $k0))
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $i1)) (local.get $magic)) (local.get $k1)))
                  (i16x8.narrow_i32x4_s
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $i2)) (local.get $magic)) (local.get $k2))
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $i3)) (local.get $magic)) (local.get $k3))))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $d (i32.add (local.get $d) (local.get $dstStride)))
              (br_if $downFull (local.tee $r (i32.sub (local.get $r) (i32.const 1))))))
          (else
            (loop $down
              (v128.store (local.get $d) (v128.xor (local.get $fl)
                (i8x16.narrow_i16x8_u
                  (i16x8.min_s (i16x8.max_s (i16x8.narrow_i32x4_s
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $i0)) (local.get $magic)) (local.get $k0))
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $i1)) (local.get $magic)) (local.get $k1)))
                    (local.get $lo16)) (local.get $hi16))
                  (i16x8.min_s (i16x8.max_s (i16x8.narrow_i32x4_s
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $i2)) (local.get $magic)) (local.get $k2))
                    (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $i3)) (local.get $magic)) (local.get $k3)))
                    (local.get $lo16)) (local.get $hi16)))))
              (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $d (i32.add (local.get $d) (local.get $dstStride)))
              (br_if $down (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols))))

  ;; 8-bit quantization of `len` contiguous floats of one channel (inverse scale $inv, constant $kk), as quant_cols.
  (func (export "quant_span") (param $src i32) (param $len i32) (param $inv f32) (param $kk i32)
    (param $lo i32) (param $hi i32) (param $flip i32) (param $dst i32)
    (local $iv v128) (local $kv v128) (local $lo16 v128) (local $hi16 v128) (local $fl v128)
    (local $n i32) (local $q i32) (local $magic v128)
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $iv (f32x4.splat (local.get $inv)))
    (local.set $kv (i32x4.splat (local.get $kk)))
    (local.set $lo16 (i16x8.splat (local.get $lo)))
    (local.set $hi16 (i16x8.splat (local.get $hi)))
    (local.set $fl (i8x16.splat (local.get $flip)))
    (local.set $n (local.get $len))
    (block $done
      (loop $vec
        (br_if $done (i32.lt_u (local.get $n) (i32.const 16)))
        (v128.store (local.get $dst) (v128.xor (local.get $fl)
          (i8x16.narrow_i16x8_u
            (i16x8.min_s (i16x8.max_s (i16x8.narrow_i32x4_s
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $src)) (local.get $iv)) (local.get $magic)) (local.get $kv))
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $src)) (local.get $iv)) (local.get $magic)) (local.get $kv)))
              (local.get $lo16)) (local.get $hi16))
            (i16x8.min_s (i16x8.max_s (i16x8.narrow_i32x4_s
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $src)) (local.get $iv)) (local.get $magic)) (local.get $kv))
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $src)) (local.get $iv)) (local.get $magic)) (local.get $kv)))
              (local.get $lo16)) (local.get $hi16)))))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $vec)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.eqz (local.get $n)))
        (local.set $q (i32.sub
          (i32.reinterpret_f32 (f32.add (f32.mul (f32.load (local.get $src)) (local.get $inv)) (f32.const 12582912)))
          (local.get $kk)))
        (local.set $q (select (local.get $lo) (local.get $q) (i32.lt_s (local.get $q) (local.get $lo))))
        (local.set $q (select (local.get $hi) (local.get $q) (i32.gt_s (local.get $q) (local.get $hi))))
        (i32.store8 (local.get $dst) (i32.xor (local.get $q) (local.get $flip)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail))))

  ;; Symmetric 4-bit scale and inverse of one vector of blocks from its min and max: the value of largest magnitude
  ;; (−mn > mx ? mn : mx) maps to −8, scale = peak / −8 (1 when the peak is 0), inv = 1 / scale, both in f32 as JS
  ;; rounds them. Stores the scales at $at and returns the inverses; clears the lanes of $ok where |peak × inv| > 8.25
  ;; (not finite, or a subnormal scale): below that every value of the block rounds into −8…8, so the quantizers
  ;; need only clamp 16 down to 15.
  (func $sym4 (param $mn v128) (param $mx v128) (param $at i32) (result v128)
    (local $peak v128) (local $scale v128) (local $inv v128)
    (local.set $peak (v128.bitselect (local.get $mn) (local.get $mx)
      (f32x4.gt (f32x4.neg (local.get $mn)) (local.get $mx))))
    (local.set $scale (v128.bitselect (v128.const f32x4 1 1 1 1)
      (f32x4.div (local.get $peak) (v128.const f32x4 -8 -8 -8 -8))
      (f32x4.eq (local.get $peak) (v128.const f32x4 0 0 0 0))))
    (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $scale)))
    (v128.store (local.get $at) (local.get $scale))
    (global.set $ok (v128.and (global.get $ok)
      (f32x4.le (f32x4.abs (f32x4.mul (local.get $peak) (local.get $inv))) (v128.const f32x4 8.25 8.25 8.25 8.25))))
    (local.get $inv))

  (global $ok (mut v128) (v128.const i32x4 -1 -1 -1 -1))

  ;; One byte-interleave round of the 16 × 16 transpose: out[2k] = lo(in[k], in[k+8]), out[2k+1] = hi(in[k], in[k+8]).
  ;; Four rounds rotate the 8-bit (row, column) index by four, which transposes.
  (func $interleave (param $from i32) (param $to i32)
    (local $a v128) (local $b v128)
    (local.set $a (v128.load offset=0 (local.get $from)))
    (local.set $b (v128.load offset=128 (local.get $from)))
    (v128.store offset=0 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=16 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=16 (local.get $from)))
    (local.set $b (v128.load offset=144 (local.get $from)))
    (v128.store offset=32 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=48 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=32 (local.get $from)))
    (local.set $b (v128.load offset=160 (local.get $from)))
    (v128.store offset=64 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=80 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=48 (local.get $from)))
    (local.set $b (v128.load offset=176 (local.get $from)))
    (v128.store offset=96 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=112 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=64 (local.get $from)))
    (local.set $b (v128.load offset=192 (local.get $from)))
    (v128.store offset=128 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=144 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=80 (local.get $from)))
    (local.set $b (v128.load offset=208 (local.get $from)))
    (v128.store offset=160 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=176 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=96 (local.get $from)))
    (local.set $b (v128.load offset=224 (local.get $from)))
    (v128.store offset=192 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=208 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
    (local.set $a (v128.load offset=112 (local.get $from)))
    (local.set $b (v128.load offset=240 (local.get $from)))
    (v128.store offset=224 (local.get $to) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
    (v128.store offset=240 (local.get $to) (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b))))

  ;; Symmetric 4-bit blocks of a band of `blocks` blocks of `bs` rows of `nvalid` floats, `stride` floats apart (stride
  ;; a multiple of 16, bs a multiple of 32; rows past K are zeros; the columns are read in groups of 16 up to nvalid
  ;; rounded up, so a band copied into a slot has zeros there, and one read in place has nvalid a multiple of 16),
  ;; in MatMulNBits' layout: column j's
  ;; block kb (= kb0 + the block's index in the band) goes to packed[j × kBlocks × bs/2 + kb × bs/2] (16 bytes a
  ;; 32-row group: rows 2i, 2i+1 in byte i, low nibble first) and its scale to scales[j × kBlocks + kb] ($packed and
  ;; $scales point at the band's first column). A column's blocks are done one after the other, so its output bytes
  ;; are written in order (whole cache lines when the band spans 128 rows), not scattered at a stride of kBlocks × bs/2.
  ;; Returns 1, or 0 when a block was not finite (the caller then uses JS, which reports it).
  (func $q4_band (export "q4_band") (param $src i32) (param $stride i32) (param $nvalid i32) (param $bs i32) (param $kBlocks i32)
    (param $kb0 i32) (param $blocks i32) (param $packed i32) (param $scales i32) (result i32)
    (local $c i32) (local $p i32) (local $r i32) (local $g i32) (local $i i32) (local $j i32) (local $n i32)
    (local $rowBytes i32) (local $colStride i32) (local $dst i32) (local $kb i32) (local $blk i32) (local $base i32)
    (local $t0 i32) (local $t1 i32)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $sum v128)
    (local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128)
    (local $kv v128) (local $fifteen v128) (local $a v128) (local $b v128) (local $q i32) (local $magic v128)
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $t0 (i32.add (global.get $scratch) (i32.const 512)))
    (local.set $t1 (i32.add (global.get $scratch) (i32.const 768)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $colStride (i32.mul (local.get $kBlocks) (i32.shr_u (local.get $bs) (i32.const 1))))
    (local.set $kv (v128.const i32x4 0x4B3FFFF8 0x4B3FFFF8 0x4B3FFFF8 0x4B3FFFF8)) ;; 0x4B400000 − 8 (zero point 8)
    (local.set $fifteen (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (global.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $c) (local.get $nvalid)))
        (local.set $blk (i32.const 0))
        (loop $blocksOfColumns
        (local.set $kb (i32.add (local.get $kb0) (local.get $blk)))
        (local.set $base (i32.add (local.get $src) (i32.mul (i32.mul (local.get $blk) (local.get $bs)) (local.get $rowBytes))))
        ;; Min and max of each of the 16 columns over the block's rows.
        (local.set $l0 (v128.const f32x4 inf inf inf inf))
        (local.set $l1 (local.get $l0)) (local.set $l2 (local.get $l0)) (local.set $l3 (local.get $l0))
        (local.set $h0 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $h1 (local.get $h0)) (local.set $h2 (local.get $h0)) (local.set $h3 (local.get $h0))
        (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (local.get $bs))
        (loop $down
          (local.set $v0 (v128.load offset=0 (local.get $p)))
          (local.set $v1 (v128.load offset=16 (local.get $p)))
          (local.set $v2 (v128.load offset=32 (local.get $p)))
          (local.set $v3 (v128.load offset=48 (local.get $p)))
          (local.set $l0 (f32x4.pmin (local.get $l0) (local.get $v0)))
          (local.set $l1 (f32x4.pmin (local.get $l1) (local.get $v1)))
          (local.set $l2 (f32x4.pmin (local.get $l2) (local.get $v2)))
          (local.set $l3 (f32x4.pmin (local.get $l3) (local.get $v3)))
          (local.set $h0 (f32x4.pmax (local.get $h0) (local.get $v0)))
          (local.set $h1 (f32x4.pmax (local.get $h1) (local.get $v1)))
          (local.set $h2 (f32x4.pmax (local.get $h2) (local.get $v2)))
          (local.set $h3 (f32x4.pmax (local.get $h3) (local.get $v3)))
          (local.set $sum (f32x4.add (local.get $sum)
            (f32x4.add (f32x4.add (local.get $v0) (local.get $v1)) (f32x4.add (local.get $v2) (local.get $v3)))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (br_if $down (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
        ;; Scales into scratch 0…63, inverses kept.
        (local.set $i0 (call $sym4 (local.get $l0) (local.get $h0) (global.get $scratch)))
        (local.set $i1 (call $sym4 (local.get $l1) (local.get $h1) (i32.add (global.get $scratch) (i32.const 16))))
        (local.set $i2 (call $sym4 (local.get $l2) (local.get $h2) (i32.add (global.get $scratch) (i32.const 32))))
        (local.set $i3 (call $sym4 (local.get $l3) (local.get $h3) (i32.add (global.get $scratch) (i32.const 48))))
        (local.set $n (i32.sub (local.get $nvalid) (local.get $c)))
        (if (i32.gt_s (local.get $n) (i32.const 16)) (then (local.set $n (i32.const 16))))
        (local.set $j (i32.const 0))
        (local.set $dst (i32.add (local.get $scales)
          (i32.shl (i32.add (i32.mul (local.get $c) (local.get $kBlocks)) (local.get $kb)) (i32.const 2))))
        (block $scalesDone
          (loop $scale
            (br_if $scalesDone (i32.ge_s (local.get $j) (local.get $n)))
            (f32.store (local.get $dst) (f32.load (i32.add (global.get $scratch) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kBlocks) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $scale)))
        ;; Each 32-row group: 16 row pairs → 16 vectors of bytes (one per column lane) in scratch 512…767,
        ;; transposed through 768…1023 so that each column's 16 bytes are one vector.
        (local.set $g (i32.const 0))
        (block $groupsDone
          (loop $group
            (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $bs)))
            (local.set $p (i32.add (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2)))
              (i32.mul (local.get $g) (local.get $rowBytes))))
            (local.set $i (i32.const 0))
            (loop $pair
              (local.set $a (i8x16.min_u (local.get $fifteen) (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $i0)) (local.get $magic)) (local.get $kv))
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $i1)) (local.get $magic)) (local.get $kv)))
                (i16x8.narrow_i32x4_s
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $i2)) (local.get $magic)) (local.get $kv))
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $i3)) (local.get $magic)) (local.get $kv))))))
              (local.set $q (i32.add (local.get $p) (local.get $rowBytes)))
              (local.set $b (i8x16.min_u (local.get $fifteen) (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $q)) (local.get $i0)) (local.get $magic)) (local.get $kv))
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $q)) (local.get $i1)) (local.get $magic)) (local.get $kv)))
                (i16x8.narrow_i32x4_s
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $q)) (local.get $i2)) (local.get $magic)) (local.get $kv))
                  (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $q)) (local.get $i3)) (local.get $magic)) (local.get $kv))))))
              ;; a | b << 4 on bytes ≤ 15: shift as 16-bit lanes (no carry crosses a byte).
              (v128.store offset=512 (i32.add (global.get $scratch) (i32.shl (local.get $i) (i32.const 4)))
                (v128.or (local.get $a) (i16x8.shl (local.get $b) (i32.const 4))))
              (local.set $p (i32.add (local.get $p) (i32.shl (local.get $rowBytes) (i32.const 1))))
              (br_if $pair (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 16))))
            (call $interleave (local.get $t0) (local.get $t1))
            (call $interleave (local.get $t1) (local.get $t0))
            (call $interleave (local.get $t0) (local.get $t1))
            (call $interleave (local.get $t1) (local.get $t0))
            (local.set $dst (i32.add
              (i32.add (local.get $packed) (i32.mul (local.get $c) (local.get $colStride)))
              (i32.add (i32.mul (local.get $kb) (i32.shr_u (local.get $bs) (i32.const 1))) (i32.shr_u (local.get $g) (i32.const 1)))))
            (local.set $j (i32.const 0))
            (block $storeDone
              (loop $store
                (br_if $storeDone (i32.ge_s (local.get $j) (local.get $n)))
                (v128.store (local.get $dst) (v128.load offset=512 (i32.add (global.get $scratch) (i32.shl (local.get $j) (i32.const 4)))))
                (local.set $dst (i32.add (local.get $dst) (local.get $colStride)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $store)))
            (local.set $g (i32.add (local.get $g) (i32.const 32)))
            (br $group)))
        (br_if $blocksOfColumns (i32.lt_u (local.tee $blk (i32.add (local.get $blk) (i32.const 1))) (local.get $blocks))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols)))
    (i32.and (i32x4.all_true (global.get $ok)) (i32.eqz (call $not_finite (local.get $sum)))))

  ;; One unit of a weight staged in this memory: its band copied (memory.copy, row by row) from the weight into the
  ;; thread's slot at a padded stride, rows past K and columns past the band's width zeroed, then q4_band on the slot.
  ;; The unit's 11 i32 arguments at $args: src, srcStride (floats), width, bs, kBlocks, kb0, blocks, packed, scales,
  ;; rowsInBand, slotStride (floats, a multiple of 16 above width). Each thread has a slot of its own, so the helper
  ;; thread stages its bands itself. Returns q4_band's result.
  (func $q4_unit (export "q4_unit") (param $args i32) (param $slot i32) (result i32)
    (local $src i32) (local $srcBytes i32) (local $width i32) (local $rows i32) (local $all i32) (local $slotBytes i32)
    (local $wide i32) (local $r i32) (local $to i32)
    (local.set $src (i32.load offset=0 (local.get $args)))
    (local.set $srcBytes (i32.shl (i32.load offset=4 (local.get $args)) (i32.const 2)))
    (local.set $width (i32.shl (i32.load offset=8 (local.get $args)) (i32.const 2)))
    (local.set $all (i32.mul (i32.load offset=12 (local.get $args)) (i32.load offset=24 (local.get $args))))
    (local.set $rows (i32.load offset=36 (local.get $args)))
    (local.set $slotBytes (i32.shl (i32.load offset=40 (local.get $args)) (i32.const 2)))
    ;; The kernel reads whole groups of 16 columns: the bytes up to the next multiple of 64 past the width.
    (local.set $wide (i32.and (i32.add (local.get $width) (i32.const 63)) (i32.const -64)))
    (local.set $to (local.get $slot))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $r) (local.get $all)))
        (if (i32.lt_u (local.get $r) (local.get $rows))
          (then
            (memory.copy (local.get $to) (local.get $src) (local.get $width))
            (memory.fill (i32.add (local.get $to) (local.get $width)) (i32.const 0) (i32.sub (local.get $wide) (local.get $width))))
          (else (memory.fill (local.get $to) (i32.const 0) (local.get $wide))))
        (local.set $src (i32.add (local.get $src) (local.get $srcBytes)))
        (local.set $to (i32.add (local.get $to) (local.get $slotBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $copy)))
    (call $q4_band (local.get $slot) (i32.load offset=40 (local.get $args)) (i32.load offset=8 (local.get $args))
      (i32.load offset=12 (local.get $args)) (i32.load offset=16 (local.get $args)) (i32.load offset=20 (local.get $args))
      (i32.load offset=24 (local.get $args)) (i32.load offset=28 (local.get $args)) (i32.load offset=32 (local.get $args))))

;; One unit of a job shared by the calling thread and the helper thread (helper-thread.ts share()): the job's
  ;; parameters are 16 i32 at $job: kind, table (byte offset of the units' arguments), bytes per unit, per-thread
  ;; words (thread t: a at 12 + 8t, b at 16 + 8t), then the kind's shared words from 28 on. Kinds:
  ;;   1: q4_unit(table + u × bytes, a): a 4-bit band of a staged weight, `a` the thread's band slot;
  ;;   2: minmax_cols(src, rows, stride at 28, a, b) with the unit's [src, rows]: per-column ranges of a band of rows
  ;;      into the thread's own min/max arrays a and b (merged by the caller);
  ;;   3: quant_cols(src, rows, stride, cols16, inv, kk, lo, hi, flip at 28…52, dst, dstStride at 56) with the unit's
  ;;      [src, rows, dst]: 8-bit quantization of a band of rows;
  ;;   4: q4_band with the unit's 9 arguments: a 4-bit band of a staged weight read in place.
  ;; Every unit writes only its own outputs (or, kind 2, its thread's running min/max), so a unit done twice (once by
  ;; each thread) writes the same bytes. Returns 1, or 0 when the unit found a value that is not finite.
  (func (export "run_unit") (param $job i32) (param $u i32) (param $thread i32) (result i32)
    (local $kind i32) (local $args i32) (local $mine i32)
    (local.set $kind (i32.load offset=0 (local.get $job)))
    (local.set $args (i32.add (i32.load offset=4 (local.get $job)) (i32.mul (local.get $u) (i32.load offset=8 (local.get $job)))))
    (local.set $mine (i32.add (local.get $job) (i32.shl (local.get $thread) (i32.const 3))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then (return (call $q4_unit (local.get $args) (i32.load offset=12 (local.get $mine))))))
    (if (i32.eq (local.get $kind) (i32.const 4))
      (then (return (call $q4_band (i32.load offset=0 (local.get $args)) (i32.load offset=4 (local.get $args))
        (i32.load offset=8 (local.get $args)) (i32.load offset=12 (local.get $args)) (i32.load offset=16 (local.get $args))
        (i32.load offset=20 (local.get $args)) (i32.load offset=24 (local.get $args)) (i32.load offset=28 (local.get $args))
        (i32.load offset=32 (local.get $args))))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then (return (i32.eqz (call $minmax_cols (i32.load offset=0 (local.get $args)) (i32.load offset=4 (local.get $args))
        (i32.load offset=28 (local.get $job)) (i32.load offset=12 (local.get $mine)) (i32.load offset=16 (local.get $mine)))))))
    (call $quant_cols (i32.load offset=0 (local.get $args)) (i32.load offset=4 (local.get $args))
      (i32.load offset=28 (local.get $job)) (i32.load offset=32 (local.get $job)) (i32.load offset=36 (local.get $job))
      (i32.load offset=40 (local.get $job)) (i32.load offset=44 (local.get $job)) (i32.load offset=48 (local.get $job))
      (i32.load offset=52 (local.get $job)) (i32.load offset=8 (local.get $args)) (i32.load offset=56 (local.get $job)))
    (i32.const 1))

  ;; Symmetric 4-bit blocks along contiguous rows (an embedding table): `blocks` blocks of `bs` floats (bs a multiple
  ;; of 16) at $src → bs/2 bytes each at $packed (element 2i in the low nibble of byte i), scales at $scales.
  ;; Returns 1, or 0 when a block was not finite.
  (func (export "q4_rows") (param $src i32) (param $blocks i32) (param $bs i32) (param $packed i32) (param $scales i32) (result i32)
    (local $b i32) (local $p i32) (local $end i32) (local $v v128) (local $lo v128) (local $hi v128) (local $sum v128)
    (local $x f32) (local $mn f32) (local $mx f32) (local $inv v128) (local $kv v128) (local $fifteen v128)
    (local $q v128) (local $pairs v128) (local $magic v128)
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $kv (v128.const i32x4 0x4B3FFFF8 0x4B3FFFF8 0x4B3FFFF8 0x4B3FFFF8))
    (local.set $fifteen (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (global.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $end (i32.add (local.get $src) (i32.shl (local.get $bs) (i32.const 2))))
        (local.set $lo (v128.const f32x4 inf inf inf inf))
        (local.set $hi (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $p (local.get $src))
        (loop $scan
          (local.set $v (v128.load (local.get $p)))
          (local.set $lo (f32x4.pmin (local.get $lo) (local.get $v)))
          (local.set $hi (f32x4.pmax (local.get $hi) (local.get $v)))
          (local.set $sum (f32x4.add (local.get $sum) (local.get $v)))
          (br_if $scan (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
        (local.set $mn (f32x4.extract_lane 0 (local.get $lo)))
        (local.set $x (f32x4.extract_lane 1 (local.get $lo)))
        (local.set $mn (select (local.get $x) (local.get $mn) (f32.lt (local.get $x) (local.get $mn))))
        (local.set $x (f32x4.extract_lane 2 (local.get $lo)))
        (local.set $mn (select (local.get $x) (local.get $mn) (f32.lt (local.get $x) (local.get $mn))))
        (local.set $x (f32x4.extract_lane 3 (local.get $lo)))
        (local.set $mn (select (local.get $x) (local.get $mn) (f32.lt (local.get $x) (local.get $mn))))
        (local.set $mx (f32x4.extract_lane 0 (local.get $hi)))
        (local.set $x (f32x4.extract_lane 1 (local.get $hi)))
        (local.set $mx (select (local.get $x) (local.get $mx) (f32.gt (local.get $x) (local.get $mx))))
        (local.set $x (f32x4.extract_lane 2 (local.get $hi)))
        (local.set $mx (select (local.get $x) (local.get $mx) (f32.gt (local.get $x) (local.get $mx))))
        (local.set $x (f32x4.extract_lane 3 (local.get $hi)))
        (local.set $mx (select (local.get $x) (local.get $mx) (f32.gt (local.get $x) (local.get $mx))))
        ;; Scale to scratch 0, one inverse in all lanes.
        (local.set $inv (call $sym4 (f32x4.splat (local.get $mn)) (f32x4.splat (local.get $mx)) (global.get $scratch)))
        (f32.store (local.get $scales) (f32.load (global.get $scratch)))
        ;; 16 values → 8 bytes: as 16-bit lanes x = q[2i] | q[2i+1] << 8 (each ≤ 15), (x & 15) | (x >> 4) pairs the nibbles.
        (local.set $p (local.get $src))
        (loop $quant
          (local.set $q (i8x16.min_u (local.get $fifteen) (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_s
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $inv)) (local.get $magic)) (local.get $kv))
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $inv)) (local.get $magic)) (local.get $kv)))
            (i16x8.narrow_i32x4_s
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $inv)) (local.get $magic)) (local.get $kv))
              (i32x4.sub (f32x4.add (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $inv)) (local.get $magic)) (local.get $kv))))))
          (local.set $pairs (v128.or (v128.and (local.get $q) (v128.const i16x8 15 15 15 15 15 15 15 15))
            (i16x8.shr_u (local.get $q) (i32.const 4))))
          (i64.store (local.get $packed) (i64x2.extract_lane 0 (i8x16.narrow_i16x8_u (local.get $pairs) (local.get $pairs))))
          (local.set $packed (i32.add (local.get $packed) (i32.const 8)))
          (br_if $quant (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 64))) (local.get $end))))
        (local.set $src (local.get $end))
        (local.set $scales (i32.add (local.get $scales) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block)))
    (i32.and (i32x4.all_true (global.get $ok)) (i32.eqz (call $not_finite (local.get $sum)))))
)
