/** A labelled control with its validation messages under it, tied to it by aria-describedby. */
import { useId, type ReactNode } from 'react';

export interface FieldProps {
  label: string;
  issues: string[];
  hint?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}

export function Field({ label, issues, hint, children }: FieldProps) {
  const id = useId();
  const err = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [issues.length ? err : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': issues.length ? true : undefined })}
      {hint && (
        <div id={hintId} className="muted small">
          {hint}
        </div>
      )}
      {issues.length > 0 && (
        <div id={err} className="error" role="alert">
          {issues.map((m) => (
            <div key={m}>{m}</div>
          ))}
        </div>
      )}
    </div>
  );
}
