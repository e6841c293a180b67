import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { copyText, selectText } from './clipboard';
import { CheckIcon, CopyIcon } from './icons';

export type CopyOutcome = 'copied' | 'manual';

type CopyButtonProps = {
  /** What to copy; a function may fetch it first (a masked API key), and returns null to stop. */
  value: string | (() => Promise<string | null>);
  /** The element that shows the value, selected for Ctrl+C when the Clipboard API is missing. */
  target: () => HTMLElement | null;
  /** Names what is copied, for screen readers: "Copy client id". */
  label: string;
  /** Called before the fallback selects the text, so a hidden value can be shown first. */
  onManual?: (value: string) => void;
  disabled?: boolean;
  title?: string;
};

/** A copy icon button that says "Copied", or selects the text and says "Press Ctrl+C". */
export function CopyButton({ value, target, label, onManual, disabled, title }: CopyButtonProps) {
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    setBusy(true);
    try {
      const text = typeof value === 'string' ? value : await value();
      if (text === null) return;
      const copied = await copyText(text);
      if (!copied) {
        // The value may have been hidden: show it now (flushSync), then select it for Ctrl+C.
        flushSync(() => onManual?.(text));
        const element = target();
        if (element) selectText(element);
      }
      setOutcome(copied ? 'copied' : 'manual');
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setOutcome(null), copied ? 2000 : 8000);
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="copy">
      <button
        type="button"
        className={`icon-button copy-button${outcome === 'copied' ? ' is-copied' : ''}`}
        aria-label={label}
        title={title ?? label}
        onClick={() => void copy()}
        disabled={disabled || busy}
      >
        {outcome === 'copied' ? <CheckIcon /> : <CopyIcon />}
      </button>
      <span className="copy-status" role="status" aria-live="polite">
        {outcome === 'copied' ? 'Copied' : outcome === 'manual' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </span>
  );
}
