/** After Save with problems: the keyboard (and a screen reader) lands on the first field that has one. */
export function focusFirstProblem(container: HTMLElement | undefined): void {
  // After the next render: the fields get aria-invalid only once the problems are shown.
  requestAnimationFrame(() => {
    const field = container?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!field) return;
    field.closest('details')?.setAttribute('open', '');
    field.focus();
  });
}
