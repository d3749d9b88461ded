using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace BilevelDsl.Kernels;

/// <summary>
/// The register-blocked loops behind <see cref="RowBlockKernels"/>, on pinned memory so that worker threads
/// can run them on parts of a block. Every entry is computed by one fixed sequence of operations whatever
/// micro-kernel (4 x 4, 4 x 1, 1 x 1 in the product; 8, 4 or 1 columns in the update) handles it, so the
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
            for (; c + 4 <= classes; c += 4)
            {
                Dot4x4(x, matrix + ((long)c * columns), columns, z + c, classes);
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
    /// for the columns j in [firstColumn, lastColumn).</summary>
    public static void AddOuterRows(double* target, int classes, int columns, double* adjoints, double* data, int blockStart, int rows, int firstColumn, int lastColumn)
    {
        double* x = data + ((long)blockStart * columns);
        int c = 0;
        for (; c + 4 <= classes; c += 4)
        {
            Update4(target + ((long)c * columns), classes, columns, adjoints + c, x, rows, firstColumn, lastColumn);
        }

        for (; c < classes; c++)
        {
            Update1(target + ((long)c * columns), classes, columns, adjoints + c, x, rows, firstColumn, lastColumn);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x4(double* x, double* m, int n, double* z, int stride)
    {
        Vector256<double> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<double> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<double> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector256<double> a30 = default, a31 = default, a32 = default, a33 = default;
        double* x1 = x + n, x2 = x1 + n, x3 = x2 + n;
        double* m1 = m + n, m2 = m1 + n, m3 = m2 + n;
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
        }

        z[0] = Finish(a00, x, m, full, n);
        z[1] = Finish(a01, x, m1, full, n);
        z[2] = Finish(a02, x, m2, full, n);
        z[3] = Finish(a03, x, m3, full, n);
        z += stride;
        z[0] = Finish(a10, x1, m, full, n);
        z[1] = Finish(a11, x1, m1, full, n);
        z[2] = Finish(a12, x1, m2, full, n);
        z[3] = Finish(a13, x1, m3, full, n);
        z += stride;
        z[0] = Finish(a20, x2, m, full, n);
        z[1] = Finish(a21, x2, m1, full, n);
        z[2] = Finish(a22, x2, m2, full, n);
        z[3] = Finish(a23, x2, m3, full, n);
        z += stride;
        z[0] = Finish(a30, x3, m, full, n);
        z[1] = Finish(a31, x3, m1, full, n);
        z[2] = Finish(a32, x3, m2, full, n);
        z[3] = Finish(a33, x3, m3, full, n);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update4(double* t, int classes, int n, double* a, double* x, int rows, int first, int last)
    {
        double* t1 = t + n, t2 = t1 + n, t3 = t2 + n;
        int j = first;
        for (; j + (2 * Lanes) <= last; j += 2 * Lanes)
        {
            Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
            double* xr = x + j;
            double* ar = a;
            for (int r = 0; r < rows; r++, xr += n, ar += classes)
            {
                Vector256<double> u = Vector256.Load(xr), v = Vector256.Load(xr + Lanes);
                Vector256<double> b = Vector256.Create(ar[0]);
                c0 = Vector256.FusedMultiplyAdd(b, u, c0);
                d0 = Vector256.FusedMultiplyAdd(b, v, d0);
                b = Vector256.Create(ar[1]);
                c1 = Vector256.FusedMultiplyAdd(b, u, c1);
                d1 = Vector256.FusedMultiplyAdd(b, v, d1);
                b = Vector256.Create(ar[2]);
                c2 = Vector256.FusedMultiplyAdd(b, u, c2);
                d2 = Vector256.FusedMultiplyAdd(b, v, d2);
                b = Vector256.Create(ar[3]);
                c3 = Vector256.FusedMultiplyAdd(b, u, c3);
                d3 = Vector256.FusedMultiplyAdd(b, v, d3);
            }

            (Vector256.Load(t + j) + c0).Store(t + j);
            (Vector256.Load(t + j + Lanes) + d0).Store(t + j + Lanes);
            (Vector256.Load(t1 + j) + c1).Store(t1 + j);
            (Vector256.Load(t1 + j + Lanes) + d1).Store(t1 + j + Lanes);
            (Vector256.Load(t2 + j) + c2).Store(t2 + j);
            (Vector256.Load(t2 + j + Lanes) + d2).Store(t2 + j + Lanes);
            (Vector256.Load(t3 + j) + c3).Store(t3 + j);
            (Vector256.Load(t3 + j + Lanes) + d3).Store(t3 + j + Lanes);
        }

        for (; j < last; j++)
        {
            for (int c = 0; c < 4; c++)
            {
                t[(c * n) + j] += ScalarColumn(a + c, classes, x + j, n, rows);
            }
        }
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
