// What the page's last action came to, above its list: a status to read, or an alert when it went wrong.

export type Notice = { text: string; alert?: boolean };

export function NoticeLine({ notice }: { notice: Notice | undefined }) {
  if (!notice) return null;
  return (
    <p class={notice.alert ? 'notice field-error' : 'notice'} role={notice.alert ? 'alert' : 'status'}>
      {notice.text}
    </p>
  );
}
