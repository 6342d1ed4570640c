import { fileURLToPath } from 'node:url';
import type { SKRSContext2D } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const STANDARD_FONTS = fileURLToPath(
  new URL('../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url),
);

interface CanvasFactory {
  create(
    width: number,
    height: number,
  ): {
    canvas: { toBuffer(type: 'image/png'): Buffer; width: number; height: number };
    context: SKRSContext2D;
  };
}

export interface PdfPage {
  png: Buffer;
  width: number;
  height: number;
  /** Share of pixels that are not (near) white: 0 for a blank page. */
  ink: number;
}

/** Renders every page of a PDF to PNG as a reader would show it (pdf.js on @napi-rs/canvas). */
export async function pdfPages(pdf: Uint8Array, scale = 1): Promise<PdfPage[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: STANDARD_FONTS })
    .promise;
  const pages: PdfPage[] = [];
  try {
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale });
      // pdf.js's own Node canvas factory (on @napi-rs/canvas); its type is not exported.
      const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
      const { canvas, context } = factory.create(
        Math.ceil(viewport.width),
        Math.ceil(viewport.height),
      );
      await page.render({ canvasContext: context as never, viewport, canvas: canvas as never })
        .promise;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let p = 0; p < data.length; p += 4) {
        if (data[p]! < 200 || data[p + 1]! < 200 || data[p + 2]! < 200) inked++;
      }
      pages.push({
        png: canvas.toBuffer('image/png'),
        width: canvas.width,
        height: canvas.height,
        ink: inked / (data.length / 4),
      });
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}
