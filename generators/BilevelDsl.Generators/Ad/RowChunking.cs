using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>What <see cref="RowChunking"/> needs to know about the program a loop is in.</summary>
    internal sealed class ChunkContext
    {
        private int count;

        public ChunkContext(string methodPrefix, IEnumerable<string> spans, IEnumerable<(string Name, ScalarType Type)> scalars, IEnumerable<string> data)
        {
            MethodPrefix = methodPrefix;
            Spans = new HashSet<string>(spans.Where(s => s.Length > 0), StringComparer.Ordinal);
            Scalars = new Dictionary<string, ScalarType>(StringComparer.Ordinal);
            foreach ((string name, ScalarType type) in scalars)
            {
                if (name.Length > 0)
                {
                    Scalars[name] = type;
                }
            }

            Data = new HashSet<string>(data, StringComparer.Ordinal);
        }

        /// <summary>The program method's name; chunk methods are named after it.</summary>
        public string MethodPrefix { get; }

        /// <summary>The program's span parameters (inputs, directions, gradients and products).</summary>
        public HashSet<string> Spans { get; }

        /// <summary>The program's scalar parameters that chunks may read.</summary>
        public Dictionary<string, ScalarType> Scalars { get; }

        /// <summary>Names and access texts of the model's data (members, readable from any instance method).</summary>
        public HashSet<string> Data { get; }

        public string NextMethod() => MethodPrefix + "Rows" + (count++ == 0 ? string.Empty : count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Turns a row-blocked loop into a <see cref="RowChunkLoop"/> (the whole fused loop run per chunk of rows,
    /// possibly on several threads) when its iterations share nothing but accumulators: every scalar the body
    /// assigns is its own, or an outer double only added to (a sum) and never read in the loop; every outer
    /// vector it writes is never read in the loop and is either written only at the loop's index (shared) or
    /// only added to (a partial per chunk). Anything else (stored per-iteration vectors, reads of a sum,
    /// returns, more operands than the runtime's slots) keeps the loop as it is: still exact, one thread.
    /// </summary>
    internal static class RowChunking
    {
        private const int Slots = 8;

        public static RowChunkLoop? TryChunk(RowBlockLoop blocked, IReadOnlyList<VecLocal> buffers, IReadOnlyList<Stmt> program, ChunkContext context)
        {
            Block body = blocked.Inner.Body;
            string index = blocked.Inner.Index;
            var localScalars = new HashSet<string>(IrWalker.Definitions(body, intoLoops: true).Select(d => d.Name), StringComparer.Ordinal) { index, blocked.BlockStart, blocked.BlockEnd };
            var localVectors = new HashSet<string>(buffers.Select(b => b.Name), StringComparer.Ordinal);
            bool ok = true;
            IrWalker.VisitStatements(body, statement =>
            {
                switch (statement)
                {
                    case For nested:
                        localScalars.Add(nested.Index);
                        break;
                    case VecLocal local:
                        ok &= local.Store == null;
                        localVectors.Add(local.Name);
                        break;
                    case SpanAlias alias:
                        localVectors.Add(alias.Name);
                        break;
                    case VecStore _:
                    case Return _:
                    case RowBlockLoop _:
                    case RowChunkLoop _:
                        ok = false;
                        break;
                }
            });
            if (!ok || !DeclaredBeforeUse(body, localVectors))
            {
                return null;
            }

            // Outer scalars by type: the program's own definitions (outside this loop) and scalar parameters.
            var outerScalars = new Dictionary<string, ScalarType>(context.Scalars, StringComparer.Ordinal);
            foreach ((string name, ScalarType type) in IrWalker.Definitions(new Block(EquatableArray.From(program)), intoLoops: false))
            {
                outerScalars[name] = type;
            }

            var outerVectors = new HashSet<string>(context.Spans, StringComparer.Ordinal);
            foreach (Stmt statement in program)
            {
                if (statement is VecLocal { Store: null } local && !localVectors.Contains(local.Name))
                {
                    outerVectors.Add(local.Name);
                }
            }

            // The loop's own vectors must not be used after it (their last row's values would be a chunk's).
            var usedOutside = new HashSet<string>(IrWalker.VectorsRead(program.Where(s => !(s is RowBlockLoop))), StringComparer.Ordinal);
            if (localVectors.Any(usedOutside.Contains))
            {
                return null;
            }

            var sums = new List<string>();
            var written = new Dictionary<string, bool>(StringComparer.Ordinal); // vector -> only at the loop's index
            void Write(string vector, bool atRow)
            {
                if (localVectors.Contains(vector))
                {
                    return;
                }

                if (!outerVectors.Contains(vector))
                {
                    ok = false;
                    return;
                }

                written[vector] = (!written.TryGetValue(vector, out bool before) || before) && atRow;
            }

            IrWalker.VisitStatements(body, statement =>
            {
                switch (statement)
                {
                    case AddTo add when !localScalars.Contains(add.Target):
                        if (outerScalars.TryGetValue(add.Target, out ScalarType type) && type == ScalarType.Double)
                        {
                            if (!sums.Contains(add.Target))
                            {
                                sums.Add(add.Target);
                            }
                        }
                        else
                        {
                            ok = false;
                        }

                        break;
                    case Assign assign when !localScalars.Contains(assign.Target):
                        ok = false;
                        break;
                    case AddToElement element:
                        Write(element.Vector.Name, element.Index is Var v && v.Name == index && element.Vector.Row == null && element.Vector.Offset == null);
                        break;
                    case AddVector vector:
                        Write(vector.Target.Name, atRow: false);
                        break;
                    case MatVecUpdate product:
                        Write(product.Target.Name, atRow: false);
                        break;
                    case OuterUpdate outer:
                        Write(outer.Target.Name, atRow: false);
                        break;
                    case ClearVector clear when !localVectors.Contains(clear.Vector.Name):
                        ok = false;
                        break;
                }
            });
            foreach (BlockUpdate update in blocked.Updates)
            {
                Write(update.Target.Name, atRow: false);
            }

            // Everything the loop reads: vectors (outer ones become read-only spans; data stays member access)
            // and scalars (outer ones are handed over; data and its properties are read directly).
            var loopStatements = new List<Stmt> { blocked.Inner };
            HashSet<string> vectorReads = IrWalker.VectorsRead(loopStatements);
            var scalarReads = new HashSet<string>(IrWalker.Reads(loopStatements), StringComparer.Ordinal);
            foreach (BlockProduct product in blocked.Products)
            {
                vectorReads.Add(product.Matrix.Name);
                vectorReads.Add(product.Data);
                AddOperands(product.Matrix, scalarReads, vectorReads);
            }

            foreach (BlockUpdate update in blocked.Updates)
            {
                vectorReads.Add(update.Data);
                AddOperands(update.Target, scalarReads, vectorReads);
            }

            foreach (VecLocal buffer in buffers)
            {
                IrWalker.Visit(buffer.Length, e => AddOperand(e, scalarReads, vectorReads));
            }

            if (!ok || written.Keys.Any(vectorReads.Contains) || sums.Any(scalarReads.Contains))
            {
                return null;
            }

            var reads = new List<string>();
            foreach (string vector in vectorReads.OrderBy(v => v, StringComparer.Ordinal))
            {
                if (localVectors.Contains(vector) || IsData(vector, context))
                {
                    continue;
                }

                if (!outerVectors.Contains(vector))
                {
                    return null;
                }

                reads.Add(vector);
            }

            var scalars = new List<ChunkScalar>();
            foreach (string name in scalarReads.OrderBy(v => v, StringComparer.Ordinal))
            {
                if (localScalars.Contains(name))
                {
                    continue;
                }

                if (outerScalars.TryGetValue(name, out ScalarType type))
                {
                    if (type == ScalarType.Bool)
                    {
                        return null;
                    }

                    scalars.Add(new ChunkScalar(name, type));
                }
                else if (!IsData(name, context))
                {
                    return null;
                }
            }

            List<string> shared = written.Where(w => w.Value).Select(w => w.Key).OrderBy(v => v, StringComparer.Ordinal).ToList();
            List<string> partials = written.Where(w => !w.Value).Select(w => w.Key).OrderBy(v => v, StringComparer.Ordinal).ToList();
            if (reads.Count > Slots || shared.Count + partials.Count > Slots || scalars.Count > Slots || sums.Count > Slots)
            {
                return null;
            }

            return new RowChunkLoop(context.NextMethod(), blocked, EquatableArray.From(buffers), EquatableArray.From(reads), EquatableArray.From(shared), EquatableArray.From(partials), EquatableArray.From(scalars), EquatableArray.From(sums));
        }

        private static bool IsData(string name, ChunkContext context) => context.Data.Contains(name) || name.IndexOf('.') >= 0;

        /// <summary>Each of the loop's own vectors (per-row temporaries, span aliases) is declared by a top-level
        /// statement of the body before any statement uses it: no value flows from one row to the next.</summary>
        private static bool DeclaredBeforeUse(Block body, HashSet<string> localVectors)
        {
            var declared = new HashSet<string>(StringComparer.Ordinal);
            foreach (Stmt statement in body.Statements)
            {
                if (statement is VecLocal local)
                {
                    declared.Add(local.Name);
                    continue;
                }

                if (statement is SpanAlias alias)
                {
                    declared.Add(alias.Name);
                }

                var used = IrWalker.VectorsRead(new[] { statement });
                IrWalker.VisitStatements(new Block(EquatableArray.Of(statement)), s =>
                {
                    if (IrWalker.VectorWritten(s) is string vector)
                    {
                        used.Add(vector);
                    }

                    if (s is VecLocal || s is SpanAlias)
                    {
                        used.Add(s is VecLocal l ? l.Name : ((SpanAlias)s).Name);
                    }
                });
                if (used.Any(v => localVectors.Contains(v) && !declared.Contains(v) && !IsBuffer(v, body)))
                {
                    return false;
                }
            }

            return true;
        }

        // The block buffers are declared by the chunk method itself, not by the body.
        private static bool IsBuffer(string vector, Block body)
        {
            bool declaredInBody = false;
            IrWalker.VisitStatements(body, s => declaredInBody |= (s is VecLocal l && l.Name == vector) || (s is SpanAlias a && a.Name == vector));
            return !declaredInBody;
        }

        private static void AddOperands(MatRef matrix, HashSet<string> scalars, HashSet<string> vectors)
        {
            foreach (Expr? part in new[] { matrix.Offset, matrix.Rows, matrix.Columns })
            {
                if (part != null)
                {
                    IrWalker.Visit(part, e => AddOperand(e, scalars, vectors));
                }
            }
        }

        private static void AddOperand(Expr e, HashSet<string> scalars, HashSet<string> vectors)
        {
            switch (e)
            {
                case Var v:
                    scalars.Add(v.Name);
                    break;
                case Dim d:
                    vectors.Add(d.Vector.Name);
                    break;
                case Elem element:
                    vectors.Add(element.Vector.Name);
                    break;
            }
        }
    }
}
