using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// An immutable array with value equality, so that pipeline models built from it compare by content
    /// and the incremental generator can cache them.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        public static readonly EquatableArray<T> Empty = new EquatableArray<T>(Array.Empty<T>());

        private readonly T[]? items;

        public EquatableArray(T[] items) => this.items = items;

        public EquatableArray(ImmutableArray<T> items) => this.items = items.IsDefault ? null : System.Linq.Enumerable.ToArray(items);

        public int Count => items?.Length ?? 0;

        public T this[int index] => items![index];

        public bool IsEmpty => Count == 0;

        public bool Equals(EquatableArray<T> other)
        {
            T[] left = items ?? Array.Empty<T>();
            T[] right = other.items ?? Array.Empty<T>();
            if (left.Length != right.Length)
            {
                return false;
            }

            for (int i = 0; i < left.Length; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(left[i], right[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                foreach (T item in items ?? Array.Empty<T>())
                {
                    hash = (hash * 31) + (item is null ? 0 : item.GetHashCode());
                }

                return hash;
            }
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    internal static class EquatableArray
    {
        public static EquatableArray<T> From<T>(IEnumerable<T> items)
            where T : IEquatable<T> => new EquatableArray<T>(System.Linq.Enumerable.ToArray(items));

        public static EquatableArray<T> Of<T>(params T[] items)
            where T : IEquatable<T> => new EquatableArray<T>(items);
    }
}
