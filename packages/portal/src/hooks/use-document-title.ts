import { useEffect } from 'react';

/** `<title>` per page: "API keys · Tessera". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Tessera`;
  }, [title]);
}
