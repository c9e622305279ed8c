import { RequireAuth } from "@/components/RequireAuth";
import { TodoList } from "@/components/TodoList";

export default function TodosPage() {
  return (
    <RequireAuth>
      <TodoList />
    </RequireAuth>
  );
}
