// A screen's one way out (cancel the check, lock the staff panel): a secondary button alone in the action bar.
export function ExitAction({ label, onExit, bottom }: { label: string; onExit: () => void; bottom?: boolean }) {
  return (
    <div className={bottom ? 'actions bottom' : 'actions'}>
      <button type="button" className="secondary" onClick={onExit}>
        {label}
      </button>
    </div>
  );
}
