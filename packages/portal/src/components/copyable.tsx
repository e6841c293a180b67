import { useCallback, useRef } from 'react';
import { CopyButton } from './copy-button';

/** A value in monospace with a copy button beside it (client ids, secrets, links). */
export function Copyable({ value, label, wrap = false }: { value: string; label: string; wrap?: boolean }) {
  const ref = useRef<HTMLElement>(null);
  const target = useCallback(() => ref.current, []);
  return (
    <span className={`copyable${wrap ? ' copyable-wrap' : ''}`}>
      <code ref={ref} className="mono">
        {value}
      </code>
      <CopyButton value={value} target={target} label={label} />
    </span>
  );
}
