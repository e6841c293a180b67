/** Pieces the Team settings pages share. */

export function TeamBreadcrumb() {
  return (
    <>
      <a href="#/team">Team settings</a>
      <span aria-hidden="true"> / </span>
    </>
  );
}

export function MemberNotice({ what }: { what: string }) {
  return (
    <p className="callout" role="note">
      You are a member of this team: only an admin can {what}.
    </p>
  );
}
