import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/api-error';

export type Resource<T> = {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data in place (after an action answered the new state). */
  update: (change: (data: T) => T) => void;
};

/** Loads `load()` once (and again on `reload`), keeping the last data while it reloads. */
export function useResource<T>(load: () => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  // State is set only when the answer comes (never in the effect's own run), and not after unmount.
  const fetchInto = useCallback(
    (live: () => boolean) =>
      load().then(
        (loaded) => {
          if (!live()) return;
          setData(loaded);
          setError(null);
          setLoading(false);
        },
        (caught: unknown) => {
          if (!live()) return;
          setError(errorMessage(caught));
          setLoading(false);
        },
      ),
    [load],
  );

  useEffect(() => {
    let live = true;
    void fetchInto(() => live);
    return () => {
      live = false;
    };
  }, [fetchInto]);

  const reload = useCallback(async () => {
    setLoading(true);
    await fetchInto(() => true);
  }, [fetchInto]);

  const update = useCallback((change: (data: T) => T) => setData((current) => (current === null ? current : change(current))), []);

  return { data, error, loading, reload, update };
}
