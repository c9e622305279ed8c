import { AuthForm } from "@/components/AuthForm";

export default function SignupPage() {
  return <AuthForm mode="signup" />;
}
