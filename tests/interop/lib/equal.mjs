// Deep equality of JSON values, object key order ignored: null when equal, else the path of the first
// difference (for a readable failure).
export function firstDifference(a, b, path = '$') {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return a === b ? null : path;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path} (length ${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return `${path} (keys differ)`;
  for (const k of ka) {
    const d = firstDifference(a[k], b[k], `${path}[${JSON.stringify(k)}]`);
    if (d !== null) return d;
  }
  return null;
}
