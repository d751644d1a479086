/**
 * The origin a browser would send for `text` (`https://Runner.Example.org:443/` →
 * `https://runner.example.org`), or undefined unless `text` is exactly an http(s) origin: a scheme,
 * a host and an optional port, with no user, path, query or fragment.
 */
export function webOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
  // A trailing '?' or '#' leaves search and hash empty: refuse them too, they are no part of an origin.
  if (/[?#]$/.test(text)) return undefined;
  return url.origin;
}
