using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace BilevelDsl.GeneratorTests.Incrementality;

/// <summary>
/// Walks an object graph (properties and fields, public and private, arrays, IEnumerable, tuples) and reports
/// every reachable object of a type that must never be cached in an incremental pipeline: it would keep a
/// whole compilation alive and defeat caching (the values differ on every edit).
/// </summary>
public static class StepOutputWalker
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SyntaxToken), typeof(SyntaxReference),
        typeof(SemanticModel), typeof(Compilation), typeof(Location), typeof(IOperation),
    };

    /// <summary>Paths (like "root.Levels[0].Body") to every forbidden object reachable from <paramref name="root"/>.</summary>
    public static List<string> FindForbidden(object? root, string rootName = "root")
    {
        var found = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, rootName, 0, visited, found);
        return found;
    }

    /// <summary>Strings reachable from <paramref name="root"/> (used to tell which model a step output belongs to).</summary>
    public static List<string> Strings(object? root)
    {
        var strings = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Collect(root, 0, visited, strings);
        return strings;
    }

    private static void Walk(object? value, string path, int depth, HashSet<object> visited, List<string> found)
    {
        if (value is null || depth > 64 || IsLeaf(value.GetType()))
        {
            return;
        }

        Type type = value.GetType();
        Type? bad = Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type));
        if (bad is not null)
        {
            found.Add($"{path}: {type.FullName} (a {bad.Name})");
            return;
        }

        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        foreach ((string name, object? child) in Children(value))
        {
            Walk(child, path + name, depth + 1, visited, found);
        }
    }

    private static void Collect(object? value, int depth, HashSet<object> visited, List<string> strings)
    {
        if (value is string s)
        {
            strings.Add(s);
            return;
        }

        if (value is Microsoft.CodeAnalysis.Text.SourceText text)
        {
            strings.Add(text.ToString());
            return;
        }

        if (value is null || depth > 64 || IsLeaf(value.GetType()) || Forbidden.Any(f => f.IsAssignableFrom(value.GetType()))
            || (!value.GetType().IsValueType && !visited.Add(value)))
        {
            return;
        }

        foreach ((_, object? child) in Children(value))
        {
            Collect(child, depth + 1, visited, strings);
        }
    }

    private static IEnumerable<(string Name, object? Value)> Children(object value)
    {
        Type type = value.GetType();
        if (value is Array array)
        {
            int i = 0;
            foreach (object? item in array)
            {
                yield return ($"[{i++}]", item);
            }

            yield break;
        }

        if (value is IEnumerable enumerable && value is not string)
        {
            List<object?> items;
            try
            {
                items = enumerable.Cast<object?>().Take(100_000).ToList();
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or NullReferenceException)
            {
                items = new List<object?>(); // e.g. a default ImmutableArray: its fields are still walked below
            }

            for (int i = 0; i < items.Count; i++)
            {
                yield return ($"[{i}]", items[i]);
            }
        }

        // Fields cover tuples (Item1..), records and auto-properties (their backing fields). Properties are read
        // too, for computed values; indexers and properties that throw are skipped.
        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                {
                    continue;
                }

                yield return ("." + field.Name, field.GetValue(value));
            }
        }

        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsByRefLike || property.PropertyType.IsPointer || !property.CanRead)
            {
                continue;
            }

            object? child;
            try
            {
                child = property.GetValue(value);
            }
            catch (Exception e) when (e is TargetInvocationException or InvalidOperationException or NotSupportedException)
            {
                continue;
            }

            yield return ("." + property.Name, child);
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(TimeSpan) || type == typeof(Guid) || typeof(Type).IsAssignableFrom(type)
        || typeof(Delegate).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(Microsoft.CodeAnalysis.Text.SourceText).IsAssignableFrom(type) || typeof(System.Text.Encoding).IsAssignableFrom(type);
}
