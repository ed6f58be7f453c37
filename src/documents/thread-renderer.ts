import { DocumentRenderer } from './renderer.ts';
import { openStore, type DocumentSettings, type DocumentStore } from './storage.ts';

/** One renderer and one store per thread, reused across jobs (Typst start-up costs ~100 ms). */
let shared: { key: string; renderer: DocumentRenderer; store: DocumentStore } | null = null;

export async function threadRenderer(settings: DocumentSettings, dataDir: string): Promise<{ renderer: DocumentRenderer; store: DocumentStore }> {
  const key = JSON.stringify([settings, dataDir]);
  if (shared?.key !== key) {
    shared = {
      key,
      renderer: new DocumentRenderer({ templatesDir: settings.templatesDir, recycleAfterDocuments: settings.recycleAfterDocuments }),
      store: await openStore(settings, dataDir),
    };
  }
  return shared;
}
