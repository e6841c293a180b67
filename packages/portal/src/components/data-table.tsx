import type { ReactNode } from 'react';

/**
 * A table of what a page lists: the column headings, then the rows. With `actions`, a last column
 * (named for screen readers only) holds each row's `ActionsCell`.
 */
export function DataTable({ columns, actions = false, className, children }: { columns: string[]; actions?: boolean; className?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : 'table'}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col" className="actions-col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A row's buttons, in the `actions` column of a `DataTable`. */
export function ActionsCell({ children }: { children: ReactNode }) {
  return (
    <td data-label="Actions" className="row-actions">
      {children}
    </td>
  );
}
