import { useState } from 'react';

/** A destructive action that asks for a second click: `label`, then `confirmLabel` (danger) or Cancel. */
export function ConfirmButton(props: { label: string; confirmLabel: string; disabled?: boolean; onConfirm(): void }) {
  const { label, confirmLabel, disabled, onConfirm } = props;
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="ghost" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="ghost" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </>
  );
}
