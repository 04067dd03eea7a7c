export function FamiliesPage({ region }: { region: string }) {
  return <h1>Families ({region})</h1>;
}
