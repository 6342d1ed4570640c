import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal question with the native <dialog>: focus is trapped in it, Escape cancels, and focus
 * returns to where it was when it closes.
 */
export function ConfirmDialog(props: {
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  onClose: (confirmed: boolean) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => before?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      id="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose(false);
      }}
    >
      <h2 id="confirm-title">{props.title}</h2>
      <p id="confirm-text">{props.text}</p>
      <div class="actions">
        <button type="button" onClick={() => props.onClose(false)} autoFocus>
          {props.cancel}
        </button>
        <button type="button" class="primary" onClick={() => props.onClose(true)}>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}
