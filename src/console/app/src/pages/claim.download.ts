import { ApiError } from '../api/client';

/**
 * Downloads an API file (a PDF, a CSV) with the session's key: a plain link cannot carry the
 * Bearer header, so the file is fetched and handed to the browser as a blob.
 */
export async function download(href: string, key: string, filename: string): Promise<void> {
  const res = await fetch(href, { headers: { Authorization: `Bearer ${key}` } });
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // Not problem+json: the status text says enough.
    }
    throw new ApiError(res.status, undefined, detail);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled: the download has its own copy by then.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
