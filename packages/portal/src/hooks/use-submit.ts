import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/api-error';

export type SubmitOptions = {
  /** Says what is wrong before anything is sent, or null when the input will do. */
  validate?: () => string | null;
  /** The action; what it resolves to is not used. */
  run: () => Promise<unknown>;
  /** The message for a failure (default: the API's own message). */
  describe?: (caught: unknown) => string;
  /**
   * True where success leaves the form (a navigation, a dialog that closes): the button stays busy
   * until it is gone, so it cannot be pressed twice.
   */
  leaves?: boolean;
};

export type Submit = {
  busy: boolean;
  error: string | null;
  /** Runs the action once; pass the form's submit event, or nothing from a plain button. */
  submit: (event?: FormEvent) => void;
};

/** Busy state and the error in place for one action: validate, send, say what went wrong. */
export function useSubmit({ validate, run, describe = errorMessage, leaves = false }: SubmitOptions): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await run();
      if (!leaves) setBusy(false);
    } catch (caught) {
      setBusy(false);
      // The person closed "Confirm it's you": nothing to say. (hooks/ does not import session/.)
      if (caught instanceof Error && caught.name === 'ReauthCancelled') return;
      setError(describe(caught));
    }
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const invalid = validate?.() ?? null;
    if (invalid !== null) {
      setError(invalid);
      return;
    }
    void send();
  };

  return { busy, error, submit };
}
