export function LaunchesPage() {
  return <h1>Launches</h1>;
}
