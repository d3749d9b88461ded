#!/usr/bin/env bash
# The package a user consumes, checked as a user would meet it:
#  1. `dotnet pack` of src/BilevelDsl gives ONE BilevelDsl package: lib/net10.0/BilevelDsl.dll, the generator and
#     the code fixes under analyzers/dotnet/cs, the readme, license expression and repository metadata;
#  2. a consumer project OUTSIDE the repository (a temp dir, so no Directory.Build.props of ours applies) restores
#     it from a local folder feed, builds with generator/analyzer load failures as errors, and runs a small
#     model whose generated gradient and solver answer are checked against closed forms;
#  3. a second consumer with a non-partial model must fail to build with BDSL0001 from the package's analyzer.
# Network: only the NuGet registry (for System.Numerics.Tensors); a private package cache under the temp dir
# guarantees the package just packed is the one restored. Exit status 0 if all holds. Run as `bash .ci/package-check.sh`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
CONFIGURATION=${PACKAGE_CHECK_CONFIGURATION:-Release}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bileveldsl-package.XXXXXX")
cleanup() { rm -rf "$WORK"; }
[ "${PACKAGE_CHECK_KEEP:-0}" = 1 ] || trap cleanup EXIT
FEED="$WORK/feed"
export NUGET_PACKAGES="$WORK/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDTERMINALLOGGER=off

fail() { echo "package-check: FAILED: $*"; exit 1; }
command -v unzip >/dev/null 2>&1 || fail "needs unzip (to read the package)"
case "$WORK" in "$ROOT"/*) fail "the temp dir $WORK is inside the repository";; esac

# ---- 1. pack --------------------------------------------------------------------------------------------------
echo "== package-check: dotnet pack src/BilevelDsl -c $CONFIGURATION -o $FEED"
dotnet pack src/BilevelDsl/BilevelDsl.csproj -c "$CONFIGURATION" -o "$FEED" -nologo < /dev/null || fail "dotnet pack"
mapfile -t packages < <(find "$FEED" -maxdepth 1 -name '*.nupkg' ! -name '*.symbols.nupkg')
[ "${#packages[@]}" -eq 1 ] || fail "expected one package in $FEED, found: ${packages[*]:-none}"
PACKAGE=${packages[0]}
NAME=$(basename "$PACKAGE" .nupkg)
case "$NAME" in BilevelDsl.[0-9]*) VERSION=${NAME#BilevelDsl.};; *) fail "unexpected package $NAME";; esac
echo "== package-check: $NAME"

listing=$(unzip -Z1 "$PACKAGE")
grep -v '^_rels/\|^package/\|Content_Types' <<< "$listing" | sed 's/^/   /'
for entry in lib/net10.0/BilevelDsl.dll analyzers/dotnet/cs/BilevelDsl.Generators.dll analyzers/dotnet/cs/BilevelDsl.CodeFixes.dll README.md BilevelDsl.nuspec; do
    grep -qx "$entry" <<< "$listing" || fail "$entry is missing from $NAME; it contains:"$'\n'"$listing"
done
if grep -q '^lib/.*Generators\|^lib/.*CodeFixes\|^analyzers/.*Microsoft\.CodeAnalysis' <<< "$listing"; then
    fail "the generator or Roslyn leaked into lib/ or analyzers/:"$'\n'"$listing"
fi
nuspec=$(unzip -p "$PACKAGE" BilevelDsl.nuspec)
for needle in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git" url="https://github.com/BilevelDsl/BilevelDsl"' "<version>$VERSION</version>" 'id="System.Numerics.Tensors"'; do
    grep -qF "$needle" <<< "$nuspec" || fail "the nuspec lacks $needle:"$'\n'"$nuspec"
done
if grep -q 'Microsoft.CodeAnalysis\|BilevelDsl.Generators\|BilevelDsl.CodeFixes' <<< "$nuspec"; then
    fail "the nuspec lists the generator or Roslyn as a dependency:"$'\n'"$nuspec"
fi

# ---- 2. a consumer project outside the repository ------------------------------------------------------------
write_project() {   # $1 = directory
    mkdir -p "$1"
    cat > "$1/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="bileveldsl-local" value="$FEED" />
  </packageSources>
</configuration>
XML
    cat > "$1/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <!-- a generator or analyzer from the package that fails to load must fail the build -->
    <WarningsAsErrors>\$(WarningsAsErrors);NU1603;CS9057;CS8785;CS8784;CS8032</WarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="BilevelDsl" Version="[$VERSION]" />
  </ItemGroup>
</Project>
XML
}

GOOD="$WORK/consumer"
write_project "$GOOD"
cat > "$GOOD/Program.cs" <<'CS'
// min_x (x-1)^2 + (y-2)^2  s.t.  y in argmin_y (y-x)^2: y*(x) = x, so x* = y* = 1.5.
using BilevelDsl;
using BilevelDsl.Solvers;

IBilevelKernels model = new Toy();   // compiles only if the generator implemented IBilevelKernels
double[] gx = new double[1], gy = new double[1];
double f = model.UpperGradient([0.5], [0.25], gx, gy);
// F = 0.25 + 3.0625, dF/dx = 2(x - 1) = -1, dF/dy = 2(y - 2) = -3.5 (exact in binary floating point)
bool gradientOk = f == 3.3125 && gx[0] == -1.0 && gy[0] == -3.5;
Console.WriteLine($"generated UpperGradient at (0.5, 0.25): F = {f}, gx = {gx[0]}, gy = {gy[0]} {(gradientOk ? "OK" : "WRONG")}");

BilevelResult result = new BvfimSolver().Solve(model, [0.0], [0.0]);
double error = Math.Max(Math.Abs(result.X[0] - 1.5), Math.Abs(result.Y[0] - 1.5));
bool solveOk = result.Status == SolverStatus.Converged && error <= 1e-3;
Console.WriteLine($"BVFIM: {result.Status} after {result.Iterations} iterations, x = {result.X[0]:F6}, y = {result.Y[0]:F6}, error {error:E1} {(solveOk ? "OK" : "WRONG")}");
return gradientOk && solveOk ? 0 : 1;

[BilevelModel]
public partial class Toy
{
    [UpperLevel] public double Upper(double x, double y) => (x - 1) * (x - 1) + (y - 2) * (y - 2);
    [LowerLevel] public double Lower(double x, double y) => (y - x) * (y - x);
}
CS
echo "== package-check: build and run a consumer in $GOOD"
dotnet build "$GOOD/Consumer.csproj" -nologo < /dev/null || fail "the consumer does not build"
# the package restored must be the one just packed, from the folder feed (not a same-named one from a registry)
metadata="$NUGET_PACKAGES/bileveldsl/$VERSION/.nupkg.metadata"
grep -qF "\"source\": \"$FEED\"" "$metadata" 2>/dev/null || fail "BilevelDsl $VERSION was not restored from $FEED: $(cat "$metadata" 2>/dev/null)"
dotnet run --no-build --project "$GOOD/Consumer.csproj" < /dev/null || fail "the consumer's model run is wrong"

# ---- 3. a BDSL diagnostic from the package's analyzer --------------------------------------------------------
BAD="$WORK/diagnostic"
write_project "$BAD"
cat > "$BAD/Program.cs" <<'CS'
using BilevelDsl;

Console.WriteLine(new NotPartial().Upper(1, 2));

[BilevelModel]
public class NotPartial
{
    [UpperLevel] public double Upper(double x, double y) => x * y;
    [LowerLevel] public double Lower(double x, double y) => (y - x) * (y - x);
}
CS
echo "== package-check: a non-partial model must fail with BDSL0001"
set +e
bad_output=$(dotnet build "$BAD/Consumer.csproj" -nologo < /dev/null 2>&1)
bad_rc=$?
set -e
if [ "$bad_rc" -eq 0 ] || ! grep -q "error BDSL0001" <<< "$bad_output"; then
    echo "$bad_output"
    fail "building a non-partial [BilevelModel] class gave exit $bad_rc without error BDSL0001"
fi
grep -m1 "error BDSL0001" <<< "$bad_output"
echo "== package-check: OK ($NAME: pack, restore from a folder feed, generator, analyzer)"
