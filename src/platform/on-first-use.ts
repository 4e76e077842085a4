/**
 * A module loaded when it is first needed, once per process: `const renderer = onFirstUse(() =>
 * import('./pdf.js'))`, then `(await renderer()).credentialPdf(...)`. For libraries that most processes
 * never use (pdf-lib, the JSON-LD and mdoc stacks): a static import would hold their code and objects in
 * memory from start (docs/decisions.md, "Performance"). The first caller pays the import; a failed import
 * is not cached, so the next caller tries again.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (!loaded) {
      loaded = load();
      loaded.catch(() => {
        loaded = undefined;
      });
    }
    return loaded;
  };
}
