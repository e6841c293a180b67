import { useEffect, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { clipboardAvailable, copyText, selectText } from './clipboard';
import { CheckIcon, CopyIcon } from './icons';

export type CopyOutcome = 'copied' | 'manual';

/** Why a value is fetched: for the clipboard, unseen; or to be shown and selected for Ctrl+C. */
export type CopyIntent = 'clipboard' | 'show';

type CopyButtonProps = {
  /**
   * What to copy; a function may fetch it first (a masked API key), told whether it goes to the clipboard
   * unseen or must be shown (no Clipboard API, or it refused), and returns null to stop.
   */
  value: string | ((intent: CopyIntent) => Promise<string | null>);
  /** The element that shows the value, selected for Ctrl+C when the Clipboard API is missing. */
  target: () => HTMLElement | null;
  /** Names what is copied, for screen readers: "Copy client id". */
  label: string;
  /** Called before the fallback selects the text, so a hidden value can be shown first. */
  onManual?: (value: string) => void;
  disabled?: boolean;
  title?: string;
  /**
   * The value as shown, before the icon: a click on it copies too ("hover over the key and click"). The
   * button stays the one control for the keyboard and screen readers; this is the mouse's larger target.
   */
  children?: ReactNode;
};

/** A copy icon button that says "Copied", or selects the text and says "Press Ctrl+C". */
export function CopyButton({ value, target, label, onManual, disabled, title, children }: CopyButtonProps) {
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const fetchValue = (intent: CopyIntent) => (typeof value === 'string' ? Promise.resolve(value) : value(intent));

  const copy = async () => {
    if (disabled || busy) return;
    setBusy(true);
    try {
      const clipboard = clipboardAvailable();
      let text = await fetchValue(clipboard ? 'clipboard' : 'show');
      if (text === null) return;
      const copied = clipboard && (await copyText(text));
      if (!copied) {
        // The clipboard refused what was fetched for it unseen: fetch it again to be shown, so that
        // what the person did (saw it) is what is recorded.
        if (clipboard) text = await fetchValue('show');
        if (text === null) return;
        const shown = text;
        // The value may have been hidden: show it now (flushSync), then select it for Ctrl+C.
        flushSync(() => onManual?.(shown));
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
    <span className={`copy${children ? ' copy-with-value' : ''}`}>
      {children && (
        // A mouse shortcut for the button beside it, which keyboards and screen readers use: role="presentation"
        // says so to assistive technology (WAI-ARIA 1.2, the presentation role), so the value is read as text, not as a control.
        <span role="presentation" className={`copy-click${disabled ? ' is-disabled' : ''}`} onClick={() => void copy()} title={disabled ? title : 'Click to copy'}>
          {children}
        </span>
      )}
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
