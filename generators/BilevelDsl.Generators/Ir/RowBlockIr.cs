namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// A loop over rows [From, To) of data, strip-mined into blocks of <c>RowBlockKernels.BlockRows</c> rows:
    /// per block, rows [BlockStart, BlockEnd), the <see cref="Products"/> are made for the whole block, then
    /// <see cref="Inner"/> (the original loop over the block's rows, reading the products from their buffers
    /// and leaving outer-product factors in theirs) runs, then the <see cref="Updates"/> are added.
    /// Made by <c>Ad.RowBlocking</c> as the last pass of a derivative program.
    /// </summary>
    internal sealed record RowBlockLoop(
        Expr From,
        Expr To,
        string BlockStart,
        string BlockEnd,
        EquatableArray<BlockProduct> Products,
        For Inner,
        EquatableArray<BlockUpdate> Updates) : Stmt;

    /// <summary>Buffer[(r - BlockStart) * Matrix.Rows + c] = (Matrix x_r)[c], x_r row r of the data matrix <see cref="Data"/>.</summary>
    internal sealed record BlockProduct(string Buffer, MatRef Matrix, string Data);

    /// <summary>Target += Bufferᵀ X_block (Buffer: block rows x Target.Rows, X_block the block's rows of <see cref="Data"/>); the buffer is cleared.</summary>
    internal sealed record BlockUpdate(string Buffer, MatRef Target, string Data);
}
