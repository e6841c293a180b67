/** A link to the API console, which opens in a new tab (and says so to a screen reader). */
export function ConsoleLink() {
  return (
    <a href="/console" target="_blank" rel="noopener">
      API console<span className="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}
