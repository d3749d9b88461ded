using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Row blocking, the last pass of a derivative program. A top-level loop over rows i of a data matrix X
    /// whose body makes z += s M x_i with M the same in every iteration (a weight matrix read from an input,
    /// its direction, or data), or accumulates an outer product G += s a x_iᵀ into a vector written nowhere
    /// else in the loop and not read in it (the fused reverse sweep's W_bar += z_bar x_iᵀ and its tangent),
    /// is run a block of rows at a time: the block's products M x_i come from one register-blocked kernel
    /// call before the per-row code, which reads them from a buffer, and the per-row factors s a are left in
    /// a buffer whose outer products with the block's rows one kernel call adds after it, while those rows
    /// are in cache. Each data row is read once per call for all rows of M, instead of once per row of M.
    /// Exact: the same sums, in another order (the kernels' fused multiply-adds and four-lane partial sums),
    /// so results differ from the per-row code by rounding only.
    /// </summary>
    internal static class RowBlocking
    {
        private const string BlockRows = "global::BilevelDsl.Kernels.RowBlockKernels.BlockRows";

        /// <summary>Blocks the program's data loops; with a <paramref name="chunks"/> context (instance programs), also
        /// chunks those that allow it (<see cref="RowChunking"/>).</summary>
        public static Block Apply(Block program, NameTable names, ChunkContext? chunks = null)
        {
            if (!program.Statements.OfType<For>().Any())
            {
                return program;
            }

            HashSet<string> assigned = WrittenNames(program.Statements);
            var output = new List<Stmt>();
            bool changed = false;
            foreach (Stmt statement in program.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                if (statement is For loop && TryBlock(loop, assigned, names, output, chunks, program.Statements.Where(s => !ReferenceEquals(s, loop)).ToList()))
                {
                    changed = true;
                    continue;
                }

                output.Add(statement);
            }

            return changed ? new Block(EquatableArray.From(output)) : program;
        }

        private static bool TryBlock(For loop, HashSet<string> assigned, NameTable names, List<Stmt> output, ChunkContext? chunks, IReadOnlyList<Stmt> rest)
        {
            bool hasReturn = false;
            IrWalker.VisitStatements(loop.Body, s => hasReturn |= s is Return || s is RowBlockLoop);
            if (hasReturn)
            {
                return false;
            }

            HashSet<string> inLoop = WrittenNames(loop.Body.Statements);
            inLoop.Add(loop.Index);
            var products = new List<MatVecUpdate>();
            var updates = new List<OuterUpdate>();
            IrWalker.VisitStatements(loop.Body, statement =>
            {
                if (statement is MatVecUpdate product && !product.Transposed && IsRow(product.Vector, loop.Index)
                    && !inLoop.Contains(product.Matrix.Name) && Invariant(product.Matrix, inLoop) && Invariant(RowsOf(product.Matrix), assigned))
                {
                    products.Add(product);
                }
                else if (statement is OuterUpdate outer && IsRow(outer.Right, loop.Index) && outer.Target.IsView
                    && Invariant(outer.Target.Offset!, inLoop) && Invariant(outer.Target.Rows!, inLoop) && Invariant(outer.Target.Columns!, inLoop)
                    && Invariant(outer.Target.Rows!, assigned))
                {
                    updates.Add(outer);
                }
            });

            // An outer-product target may only be accumulated by the deferred updates: nothing in the loop may
            // read it (it would see the block's updates missing) or write it otherwise.
            updates.RemoveAll(u => !OnlyAccumulated(loop.Body, u.Target.Name));
            if (products.Count == 0 && updates.Count == 0)
            {
                return false;
            }

            string start = names.Fresh(loop.Index + "_block");
            string end = names.Fresh(loop.Index + "_blockEnd");
            Expr rowInBlock = new Binary(BinaryOp.Subtract, new Var(loop.Index, ScalarType.Int), new Var(start, ScalarType.Int));
            var productBuffers = new Dictionary<(MatRef, string), string>();
            var blockProducts = new List<BlockProduct>();
            var updateBuffers = new Dictionary<OuterUpdate, string>();
            var blockUpdates = new List<BlockUpdate>();
            var buffers = new List<VecLocal>();
            foreach (MatVecUpdate product in products)
            {
                var key = (product.Matrix, product.Vector.Name);
                if (!productBuffers.ContainsKey(key))
                {
                    string buffer = names.Fresh(product.Matrix.Name + "_rows");
                    productBuffers[key] = buffer;
                    blockProducts.Add(new BlockProduct(buffer, product.Matrix, product.Vector.Name));
                    buffers.Add(new VecLocal(buffer, BufferLength(RowsOf(product.Matrix))));
                }
            }

            foreach (OuterUpdate update in updates)
            {
                string buffer = names.Fresh(update.Target.Name + "_rows");
                updateBuffers[update] = buffer;
                blockUpdates.Add(new BlockUpdate(buffer, update.Target, update.Right.Name));
                buffers.Add(new VecLocal(buffer, BufferLength(update.Target.Rows!)));
            }

            Stmt Rewrite(Stmt statement)
            {
                switch (statement)
                {
                    case MatVecUpdate product when products.Contains(product):
                        Expr width = RowsOf(product.Matrix);
                        var slice = new VecRef(productBuffers[(product.Matrix, product.Vector.Name)], Offset: new Binary(BinaryOp.Multiply, rowInBlock, width), Length: width);
                        return new AddVector(product.Target, product.Scale, new VecScaled(1, slice));
                    case OuterUpdate outer when updateBuffers.TryGetValue(outer, out string? buffer):
                        var row = new VecRef(buffer, Offset: new Binary(BinaryOp.Multiply, rowInBlock, outer.Target.Rows!), Length: outer.Target.Rows);
                        return new AddVector(row, outer.Scale, new VecScaled(1, outer.Left));
                    case If branch:
                        return branch with { Then = RewriteBlock(branch.Then), Else = RewriteBlock(branch.Else) };
                    case For nested:
                        return nested with { Body = RewriteBlock(nested.Body) };
                    default:
                        return statement;
                }
            }

            Block RewriteBlock(Block block) => new Block(EquatableArray.From(block.Statements.Select(Rewrite)));

            For inner = loop with { From = new Var(start, ScalarType.Int), To = new Var(end, ScalarType.Int), Body = RewriteBlock(loop.Body) };
            var blocked = new RowBlockLoop(loop.From, loop.To, start, end, EquatableArray.From(blockProducts), inner, EquatableArray.From(blockUpdates));
            if (chunks != null && RowChunking.TryChunk(blocked, buffers, rest, chunks) is RowChunkLoop chunked)
            {
                output.Add(chunked);
                return true;
            }

            output.AddRange(buffers);
            output.Add(blocked);
            return true;
        }

        private static Expr BufferLength(Expr width) => new Binary(BinaryOp.Multiply, new Var(BlockRows, ScalarType.Int), width);

        private static Expr RowsOf(MatRef matrix) =>
            matrix.Rows ?? throw new InvalidOperationException("a data matrix as the left factor of a per-row product is not blocked");

        /// <summary>x_i for the loop's index i: a whole row of a data matrix.</summary>
        private static bool IsRow(VecRef vector, string index) =>
            vector.Row is Var row && row.Name == index && vector.Offset == null && vector.Length == null;

        private static bool Invariant(MatRef matrix, HashSet<string> written) =>
            matrix.IsView && !written.Contains(matrix.Name) && Invariant(matrix.Offset!, written) && Invariant(matrix.Rows!, written) && Invariant(matrix.Columns!, written);

        private static bool Invariant(Expr expr, HashSet<string> written)
        {
            bool invariant = true;
            IrWalker.Visit(expr, e =>
            {
                switch (e)
                {
                    case Var v when written.Contains(v.Name):
                    case Elem element when written.Contains(element.Vector.Name):
                    case Dim dim when written.Contains(dim.Vector.Name):
                        invariant = false;
                        break;
                }
            });
            return invariant;
        }

        private static bool OnlyAccumulated(Block body, string target)
        {
            bool only = true;
            IrWalker.VisitStatements(body, statement =>
            {
                if (statement is OuterUpdate outer && outer.Target.Name == target)
                {
                    return;
                }

                if (IrWalker.VectorWritten(statement) == target || IrWalker.VectorsRead(new[] { statement }).Contains(target))
                {
                    only = false;
                }
            }, intoLoops: true);
            return only;
        }

        /// <summary>Scalars assigned or declared, vectors written and loop indices, anywhere in the statements.</summary>
        private static HashSet<string> WrittenNames(IEnumerable<Stmt> statements)
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            IrWalker.VisitStatements(new Block(EquatableArray.From(statements)), statement =>
            {
                switch (statement)
                {
                    case Assign a:
                        written.Add(a.Target);
                        break;
                    case Declare d:
                        written.Add(d.Name);
                        break;
                    case AddTo add:
                        written.Add(add.Target);
                        break;
                    case For nested:
                        written.Add(nested.Index);
                        break;
                    case HelperPartials partials:
                        written.UnionWith(partials.Outputs);
                        break;
                    case HelperPartialsTangent tangent:
                        written.UnionWith(tangent.Outputs);
                        written.UnionWith(tangent.OutputTangents);
                        break;
                }

                if (IrWalker.VectorWritten(statement) is string vector)
                {
                    written.Add(vector);
                }

                if (statement is SpanAlias alias)
                {
                    written.Add(alias.Name);
                }
            });
            return written;
        }
    }
}
