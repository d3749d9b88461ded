using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BilevelDsl.Kernels;

/// <summary>
/// The register-blocked loops behind <see cref="RowBlockKernels"/>, on pinned memory so that worker threads
/// can run them on parts of a block. Every entry is computed by one fixed sequence of operations whatever
/// micro-kernel (4 x 5, 4 x 1, 1 x 1 in the product; 16, 4 or 1 columns in the update) handles it, so the
/// results do not depend on how a block is split between threads:
/// a product entry is four-lane fused multiply-adds over the columns in order, <c>Vector256.Sum</c>, then
/// scalar fused multiply-adds over the remaining columns; an update entry is fused multiply-adds over the
/// block's rows in order, starting from 0, added to the target once.
/// </summary>
internal static unsafe class RowBlockMicroKernels
{
    private const int Lanes = 4;

    /// <summary>products[(r - blockStart) * classes + c] = dot(data row r, matrix row c) for r in [first, last).</summary>
    public static void MultiplyRows(double* products, double* matrix, int classes, int columns, double* data, int first, int last, int blockStart)
    {
        int r = first;
        for (; r + 4 <= last; r += 4)
        {
            double* x = data + ((long)r * columns);
            double* z = products + ((long)(r - blockStart) * classes);
            int c = 0;
            for (; c + 5 <= classes; c += 5)
            {
                Dot4x5(x, matrix + ((long)c * columns), columns, z + c, classes);
            }

            for (; c < classes; c++)
            {
                Dot4x1(x, matrix + ((long)c * columns), columns, z + c, classes);
            }
        }

        for (; r < last; r++)
        {
            double* x = data + ((long)r * columns);
            double* z = products + ((long)(r - blockStart) * classes);
            for (int c = 0; c < classes; c++)
            {
                z[c] = Dot1x1(x, matrix + ((long)c * columns), columns);
            }
        }
    }

    /// <summary>target[c * columns + j] += sum over r &lt; rows of adjoints[r * classes + c] * data[(blockStart + r) * columns + j],
    /// for the columns j in [firstColumn, lastColumn).
    /// With <paramref name="prefetch"/> = the block's row count, the same columns of the next block's rows are fetched
    /// into cache on the way (a hint: no effect on the results).</summary>
    public static void AddOuterRows(double* target, int classes, int columns, double* adjoints, double* data, int blockStart, int rows, int firstColumn, int lastColumn, int prefetch = 0)
    {
        double* x = data + ((long)blockStart * columns);
        int c = 0;
        for (; c + 5 <= classes; c += 5)
        {
            Update5(target + ((long)c * columns), classes, columns, adjoints + c, x, rows, firstColumn, lastColumn, c == 0 && prefetch == rows && Sse.IsSupported);
        }

        for (; c < classes; c++)
        {
            Update1(target + ((long)c * columns), classes, columns, adjoints + c, x, rows, firstColumn, lastColumn);
        }
    }

    // 4 data rows x 5 rows of M: 20 accumulators, 4 + 1 loads per 20 fused multiply-adds (AVX-512 gives the 32
    // vector registers this needs; with 16 the JIT spills a few, still correct).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x5(double* x, double* m, int n, double* z, int stride)
    {
        Vector256<double> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default;
        Vector256<double> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
        Vector256<double> a20 = default, a21 = default, a22 = default, a23 = default, a24 = default;
        Vector256<double> a30 = default, a31 = default, a32 = default, a33 = default, a34 = default;
        double* x1 = x + n, x2 = x1 + n, x3 = x2 + n;
        double* m1 = m + n, m2 = m1 + n, m3 = m2 + n, m4 = m3 + n;
        int full = n & ~(Lanes - 1);
        for (int j = 0; j < full; j += Lanes)
        {
            Vector256<double> v0 = Vector256.Load(x + j), v1 = Vector256.Load(x1 + j), v2 = Vector256.Load(x2 + j), v3 = Vector256.Load(x3 + j);
            Vector256<double> w = Vector256.Load(m + j);
            a00 = Vector256.FusedMultiplyAdd(v0, w, a00);
            a10 = Vector256.FusedMultiplyAdd(v1, w, a10);
            a20 = Vector256.FusedMultiplyAdd(v2, w, a20);
            a30 = Vector256.FusedMultiplyAdd(v3, w, a30);
            w = Vector256.Load(m1 + j);
            a01 = Vector256.FusedMultiplyAdd(v0, w, a01);
            a11 = Vector256.FusedMultiplyAdd(v1, w, a11);
            a21 = Vector256.FusedMultiplyAdd(v2, w, a21);
            a31 = Vector256.FusedMultiplyAdd(v3, w, a31);
            w = Vector256.Load(m2 + j);
            a02 = Vector256.FusedMultiplyAdd(v0, w, a02);
            a12 = Vector256.FusedMultiplyAdd(v1, w, a12);
            a22 = Vector256.FusedMultiplyAdd(v2, w, a22);
            a32 = Vector256.FusedMultiplyAdd(v3, w, a32);
            w = Vector256.Load(m3 + j);
            a03 = Vector256.FusedMultiplyAdd(v0, w, a03);
            a13 = Vector256.FusedMultiplyAdd(v1, w, a13);
            a23 = Vector256.FusedMultiplyAdd(v2, w, a23);
            a33 = Vector256.FusedMultiplyAdd(v3, w, a33);
            w = Vector256.Load(m4 + j);
            a04 = Vector256.FusedMultiplyAdd(v0, w, a04);
            a14 = Vector256.FusedMultiplyAdd(v1, w, a14);
            a24 = Vector256.FusedMultiplyAdd(v2, w, a24);
            a34 = Vector256.FusedMultiplyAdd(v3, w, a34);
        }

        Store5(z, x, m, n, full, a00, a01, a02, a03, a04);
        Store5(z + stride, x1, m, n, full, a10, a11, a12, a13, a14);
        Store5(z + (2 * stride), x2, m, n, full, a20, a21, a22, a23, a24);
        Store5(z + (3 * stride), x3, m, n, full, a30, a31, a32, a33, a34);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store5(double* z, double* x, double* m, int n, int full, Vector256<double> a0, Vector256<double> a1, Vector256<double> a2, Vector256<double> a3, Vector256<double> a4)
    {
        z[0] = Finish(a0, x, m, full, n);
        z[1] = Finish(a1, x, m + n, full, n);
        z[2] = Finish(a2, x, m + (2 * n), full, n);
        z[3] = Finish(a3, x, m + (3 * n), full, n);
        z[4] = Finish(a4, x, m + (4 * n), full, n);
    }

    private static void Dot4x1(double* x, double* m, int n, double* z, int stride)
    {
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        double* x1 = x + n, x2 = x1 + n, x3 = x2 + n;
        int full = n & ~(Lanes - 1);
        for (int j = 0; j < full; j += Lanes)
        {
            Vector256<double> w = Vector256.Load(m + j);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + j), w, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(x1 + j), w, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(x2 + j), w, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(x3 + j), w, a3);
        }

        z[0] = Finish(a0, x, m, full, n);
        z[stride] = Finish(a1, x1, m, full, n);
        z[2 * stride] = Finish(a2, x2, m, full, n);
        z[3 * stride] = Finish(a3, x3, m, full, n);
    }

    private static double Dot1x1(double* x, double* m, int n)
    {
        Vector256<double> a = default;
        int full = n & ~(Lanes - 1);
        for (int j = 0; j < full; j += Lanes)
        {
            a = Vector256.FusedMultiplyAdd(Vector256.Load(x + j), Vector256.Load(m + j), a);
        }

        return Finish(a, x, m, full, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Finish(Vector256<double> accumulator, double* x, double* m, int from, int n)
    {
        double sum = Vector256.Sum(accumulator);
        for (int j = from; j < n; j++)
        {
            sum = Math.FusedMultiplyAdd(x[j], m[j], sum);
        }

        return sum;
    }

    // 5 rows of the target x 16 columns: 20 accumulators; per data row 4 loads and 5 broadcasts for 20 fused
    // multiply-adds. Each column's entry is the same sequence of operations as in the narrower kernels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update5(double* t, int classes, int n, double* a, double* x, int rows, int first, int last, bool prefetch)
    {
        long ahead = (long)rows * n; // the next block's row r, same columns
        int j = first;
        for (; j + (4 * Lanes) <= last; j += 4 * Lanes)
        {
            Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector256<double> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector256<double> c30 = default, c31 = default, c32 = default, c33 = default;
            Vector256<double> c40 = default, c41 = default, c42 = default, c43 = default;
            double* xr = x + j;
            double* ar = a;
            for (int r = 0; r < rows; r++, xr += n, ar += classes)
            {
                if (prefetch)
                {
                    Sse.Prefetch0(xr + ahead);
                    Sse.Prefetch0(xr + ahead + (2 * Lanes));
                }

                Vector256<double> u0 = Vector256.Load(xr), u1 = Vector256.Load(xr + Lanes), u2 = Vector256.Load(xr + (2 * Lanes)), u3 = Vector256.Load(xr + (3 * Lanes));
                Vector256<double> b = Vector256.Create(ar[0]);
                c00 = Vector256.FusedMultiplyAdd(b, u0, c00);
                c01 = Vector256.FusedMultiplyAdd(b, u1, c01);
                c02 = Vector256.FusedMultiplyAdd(b, u2, c02);
                c03 = Vector256.FusedMultiplyAdd(b, u3, c03);
                b = Vector256.Create(ar[1]);
                c10 = Vector256.FusedMultiplyAdd(b, u0, c10);
                c11 = Vector256.FusedMultiplyAdd(b, u1, c11);
                c12 = Vector256.FusedMultiplyAdd(b, u2, c12);
                c13 = Vector256.FusedMultiplyAdd(b, u3, c13);
                b = Vector256.Create(ar[2]);
                c20 = Vector256.FusedMultiplyAdd(b, u0, c20);
                c21 = Vector256.FusedMultiplyAdd(b, u1, c21);
                c22 = Vector256.FusedMultiplyAdd(b, u2, c22);
                c23 = Vector256.FusedMultiplyAdd(b, u3, c23);
                b = Vector256.Create(ar[3]);
                c30 = Vector256.FusedMultiplyAdd(b, u0, c30);
                c31 = Vector256.FusedMultiplyAdd(b, u1, c31);
                c32 = Vector256.FusedMultiplyAdd(b, u2, c32);
                c33 = Vector256.FusedMultiplyAdd(b, u3, c33);
                b = Vector256.Create(ar[4]);
                c40 = Vector256.FusedMultiplyAdd(b, u0, c40);
                c41 = Vector256.FusedMultiplyAdd(b, u1, c41);
                c42 = Vector256.FusedMultiplyAdd(b, u2, c42);
                c43 = Vector256.FusedMultiplyAdd(b, u3, c43);
            }

            AddTo(t + j, c00, c01, c02, c03);
            AddTo(t + n + j, c10, c11, c12, c13);
            AddTo(t + (2 * n) + j, c20, c21, c22, c23);
            AddTo(t + (3 * n) + j, c30, c31, c32, c33);
            AddTo(t + (4 * n) + j, c40, c41, c42, c43);
        }

        // The last columns: one class at a time (the same per-column operations).
        for (int c = 0; c < 5; c++)
        {
            Update1(t + ((long)c * n), classes, n, a + c, x, rows, j, last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(double* t, Vector256<double> c0, Vector256<double> c1, Vector256<double> c2, Vector256<double> c3)
    {
        (Vector256.Load(t) + c0).Store(t);
        (Vector256.Load(t + Lanes) + c1).Store(t + Lanes);
        (Vector256.Load(t + (2 * Lanes)) + c2).Store(t + (2 * Lanes));
        (Vector256.Load(t + (3 * Lanes)) + c3).Store(t + (3 * Lanes));
    }

    private static void Update1(double* t, int classes, int n, double* a, double* x, int rows, int first, int last)
    {
        int j = first;
        for (; j + Lanes <= last; j += Lanes)
        {
            Vector256<double> c0 = default;
            double* xr = x + j;
            double* ar = a;
            for (int r = 0; r < rows; r++, xr += n, ar += classes)
            {
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ar[0]), Vector256.Load(xr), c0);
            }

            (Vector256.Load(t + j) + c0).Store(t + j);
        }

        for (; j < last; j++)
        {
            t[j] += ScalarColumn(a, classes, x + j, n, rows);
        }
    }

    private static double ScalarColumn(double* a, int classes, double* x, int n, int rows)
    {
        double sum = 0.0;
        for (int r = 0; r < rows; r++)
        {
            sum = Math.FusedMultiplyAdd(a[(long)r * classes], x[(long)r * n], sum);
        }

        return sum;
    }
}
