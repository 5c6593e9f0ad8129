//! Every UI string, in English, Simplified Chinese and Traditional Chinese.
//! Placeholders are written `{name}` and filled by `i18n::tf`.

use super::Locale;

macro_rules! messages {
    ($($name:ident => $en:literal, $hans:literal, $hant:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// Stable name of the message, used when an error names it.
            pub fn key(self) -> &'static str {
                match self { $(Msg::$name => stringify!($name),)* }
            }

            pub fn from_key(key: &str) -> Option<Msg> {
                match key { $(stringify!($name) => Some(Msg::$name),)* _ => None }
            }
        }

        pub(super) fn text(locale: Locale, msg: Msg) -> &'static str {
            match locale {
                Locale::En => match msg { $(Msg::$name => $en,)* },
                Locale::ZhHans => match msg { $(Msg::$name => $hans,)* },
                Locale::ZhHant => match msg { $(Msg::$name => $hant,)* },
            }
        }
    };
}

messages! {
    AppName => "Tongbu", "同步", "同步";
    AppTagline => "One post, every channel, one report.", "一次撰写，全渠道发布，一份报告。", "一次撰寫，全渠道發佈，一份報告。";
    Language => "Language", "语言", "語言";
    Loading => "Loading…", "加载中…", "載入中…";
    Save => "Save", "保存", "儲存";
    Saved => "Saved.", "已保存。", "已儲存。";
    Cancel => "Cancel", "取消", "取消";
    Remove => "Remove", "移除", "移除";
    Copy => "Copy", "复制", "複製";
    Working => "Working…", "处理中…", "處理中…";

    // Navigation
    NavCalendar => "Calendar", "日历", "日曆";
    NavCompose => "Compose", "撰写", "撰寫";
    NavApprovals => "Approvals", "审批", "審批";
    NavChannels => "Channels", "渠道", "渠道";
    NavReports => "Reports", "报告", "報告";
    NavSettings => "Settings", "设置", "設定";
    NavMainLabel => "Main navigation", "主导航", "主導覽";
    Workspace => "Workspace", "工作区", "工作區";
    SwitchWorkspace => "Switch workspace", "切换工作区", "切換工作區";
    SignOut => "Sign out", "退出登录", "登出";
    SignedInAs => "Signed in as {name}", "当前登录：{name}", "目前登入：{name}";
    OpenMenu => "Menu", "菜单", "選單";

    // First-run setup
    SetupTitle => "Welcome to Tongbu", "欢迎使用同步", "歡迎使用同步";
    SetupIntro => "Create the first account. It owns the first workspace, usually your brand or client, and can invite the rest of the team.", "创建第一个账号。它将拥有第一个工作区（通常是你的品牌或客户），并可以邀请团队其他成员。", "建立第一個帳號。它將擁有第一個工作區（通常是你的品牌或客戶），並可以邀請團隊其他成員。";
    SetupSubmit => "Create account and workspace", "创建账号和工作区", "建立帳號和工作區";
    SetupDone => "This Tongbu is already set up. Sign in instead.", "此同步实例已完成设置，请直接登录。", "此同步實例已完成設定，請直接登入。";
    FieldDisplayName => "Your name", "你的名字", "你的名字";
    FieldEmail => "Email", "电子邮箱", "電子郵件";
    FieldPassword => "Password", "密码", "密碼";
    FieldWorkspaceName => "Workspace name", "工作区名称", "工作區名稱";
    FieldWorkspaceHint => "For example the brand or client you publish for.", "例如你为之发布内容的品牌或客户。", "例如你為之發佈內容的品牌或客戶。";
    PasswordHint => "At least 10 characters. A few unrelated words make a strong password.", "至少 10 个字符。几个不相关的词组成的密码很安全。", "至少 10 個字元。幾個不相關的詞組成的密碼很安全。";

    // Sign in
    LoginTitle => "Sign in", "登录", "登入";
    LoginSubmit => "Sign in", "登录", "登入";
    LoginIntro => "Sign in to plan, approve and publish.", "登录以策划、审批和发布内容。", "登入以規劃、審批和發佈內容。";
    SignedOut => "You have signed out.", "你已退出登录。", "你已登出。";
    SessionExpired => "Your session has ended. Sign in again to continue.", "会话已结束，请重新登录以继续。", "工作階段已結束，請重新登入以繼續。";

    // Empty states of areas that later releases fill
    CalendarTitle => "Calendar", "日历", "日曆";
    CalendarEmpty => "Nothing is scheduled yet.", "还没有已排期的内容。", "還沒有已排程的內容。";
    CalendarEmptyHint => "Scheduled posts will appear here by month and week, in your time zone. Scheduling is not available in this version yet.", "已排期的帖子将按月和周显示在这里，使用你的时区。此版本尚不支持排期。", "已排程的貼文將按月和週顯示在這裡，使用你的時區。此版本尚不支援排程。";
    ComposeTitle => "Compose", "撰写", "撰寫";
    ComposeEmpty => "The composer is not available in this version yet.", "此版本尚未提供撰写器。", "此版本尚未提供撰寫器。";
    ComposeEmptyHint => "You will write one post here, adapt it per channel with live previews, and send it for approval.", "你将在这里撰写一篇帖子，按渠道调整并实时预览，然后提交审批。", "你將在這裡撰寫一篇貼文，按渠道調整並即時預覽，然後提交審批。";
    ApprovalsTitle => "Approvals", "审批", "審批";
    ApprovalsEmpty => "Nothing is waiting for your review.", "没有等待你审核的内容。", "沒有等待你審核的內容。";
    ApprovalsEmptyHint => "Posts submitted for approval will queue here for approvers.", "提交审批的帖子会在这里排队等待审批人处理。", "提交審批的貼文會在這裡排隊等待審批人處理。";
    ChannelsTitle => "Channels", "渠道", "渠道";
    ChannelsEmpty => "No channels are connected yet.", "尚未连接任何渠道。", "尚未連接任何渠道。";
    ChannelsEmptyHint => "WeChat Official Accounts, Facebook Pages and X accounts will be connected here, with their health at a glance. Connecting channels is not available in this version yet.", "微信公众号、Facebook 主页和 X 账号将在这里连接，并一目了然地显示其状态。此版本尚不支持连接渠道。", "微信公眾號、Facebook 粉絲專頁和 X 帳號將在這裡連接，並一目了然地顯示其狀態。此版本尚不支援連接渠道。";
    ReportsTitle => "Reports", "报告", "報告";
    ReportsEmpty => "No reach data yet.", "还没有触达数据。", "還沒有觸及數據。";
    ReportsEmptyHint => "After posts are published, their reach and engagement on every platform will be collected and charted here.", "帖子发布后，各平台的触达和互动数据将在这里汇总并绘制成图表。", "貼文發佈後，各平台的觸及和互動數據將在這裡彙總並繪製成圖表。";
    ComingNext => "Coming in a later release", "将在后续版本提供", "將在後續版本提供";

    // Settings
    SettingsTitle => "Settings", "设置", "設定";
    ProfileTitle => "Profile", "个人资料", "個人資料";
    LanguagePreference => "Preferred language", "首选语言", "偏好語言";
    LanguageFollowBrowser => "Follow my browser", "跟随浏览器", "跟隨瀏覽器";
    PasswordTitle => "Password", "密码", "密碼";
    CurrentPassword => "Current password", "当前密码", "目前密碼";
    NewPassword => "New password", "新密码", "新密碼";
    ChangePassword => "Change password", "修改密码", "變更密碼";
    PasswordChanged => "Password changed. Other sessions have been signed out.", "密码已修改，其他会话已退出登录。", "密碼已變更，其他工作階段已登出。";
    TokensTitle => "API tokens", "API 令牌", "API 權杖";
    TokensIntro => "Personal tokens let scripts use the REST API as you, with your roles. Send them as Authorization: Bearer.", "个人令牌让脚本以你的身份和角色使用 REST API，请以 Authorization: Bearer 发送。", "個人權杖讓腳本以你的身分和角色使用 REST API，請以 Authorization: Bearer 傳送。";
    TokenName => "Token name", "令牌名称", "權杖名稱";
    CreateToken => "Create token", "创建令牌", "建立權杖";
    RevokeToken => "Revoke", "吊销", "撤銷";
    TokenCreated => "Copy this token now. It will not be shown again.", "请立即复制此令牌，它不会再次显示。", "請立即複製此權杖，它不會再次顯示。";
    NoTokens => "You have no API tokens.", "你还没有 API 令牌。", "你還沒有 API 權杖。";
    TokenLastUsed => "Last used", "最近使用", "最近使用";
    TokenNeverUsed => "Never used", "从未使用", "從未使用";
    Created => "Created", "创建时间", "建立時間";

    MembersTitle => "Members", "成员", "成員";
    MembersIntro => "Owners and admins invite people, change roles and reset passwords.", "所有者和管理员可以邀请成员、修改角色和重置密码。", "擁有者和管理員可以邀請成員、變更角色和重設密碼。";
    Role => "Role", "角色", "角色";
    RoleOwner => "Owner", "所有者", "擁有者";
    RoleAdmin => "Admin", "管理员", "管理員";
    RoleApprover => "Approver", "审批人", "審批人";
    RoleEditor => "Editor", "编辑", "編輯";
    RoleViewer => "Viewer", "查看者", "檢視者";
    RoleOwnerHint => "Everything, including other owners.", "拥有全部权限，包括管理其他所有者。", "擁有全部權限，包括管理其他擁有者。";
    RoleAdminHint => "Connects channels, manages members and policy.", "连接渠道、管理成员和策略。", "連接渠道、管理成員和策略。";
    RoleApproverHint => "Reviews and approves posts.", "审核并批准帖子。", "審核並批准貼文。";
    RoleEditorHint => "Writes and schedules posts.", "撰写并排期帖子。", "撰寫並排程貼文。";
    RoleViewerHint => "Reads the calendar and reports.", "查看日历和报告。", "檢視日曆和報告。";
    InviteTitle => "Invite someone", "邀请成员", "邀請成員";
    InviteSubmit => "Create invitation", "创建邀请", "建立邀請";
    InviteCreated => "Invitation created. Send this link to the person; it works once and expires in 7 days.", "邀请已创建。请把此链接发给对方；链接只能使用一次，7 天后失效。", "邀請已建立。請把此連結傳給對方；連結只能使用一次，7 天後失效。";
    MemberAdded => "{email} already has an account and has been added.", "{email} 已有账号，已被加入工作区。", "{email} 已有帳號，已被加入工作區。";
    PendingInvitations => "Pending invitations", "待接受的邀请", "待接受的邀請";
    Expires => "Expires", "过期时间", "到期時間";
    ResetPassword => "Reset password", "重置密码", "重設密碼";
    PasswordResetDone => "Temporary password below. Give it to the member privately; their sessions have ended and they should change it after signing in.", "以下是临时密码。请私下告知该成员；其所有会话已结束，请其登录后修改密码。", "以下是臨時密碼。請私下告知該成員；其所有工作階段已結束，請其登入後變更密碼。";
    You => "you", "你", "你";
    ConfirmRemove => "Remove this member from the workspace?", "确定要将此成员移出工作区吗？", "確定要將此成員移出工作區嗎？";
    NewWorkspace => "New workspace", "新建工作区", "新增工作區";
    CreateWorkspace => "Create workspace", "创建工作区", "建立工作區";
    JoinTitle => "Join {workspace}", "加入 {workspace}", "加入 {workspace}";
    JoinIntro => "You have been invited as {role}.", "你受邀成为{role}。", "你受邀成為{role}。";
    JoinExisting => "You already have an account. Sign in with it to accept.", "你已有账号，请使用该账号登录以接受邀请。", "你已有帳號，請使用該帳號登入以接受邀請。";
    JoinSubmit => "Accept invitation", "接受邀请", "接受邀請";
    InvitationInvalid => "This invitation is invalid, was already used or has expired.", "此邀请无效、已被使用或已过期。", "此邀請無效、已被使用或已過期。";

    NotFoundTitle => "Not found", "未找到", "找不到";
    NotFoundBody => "This page does not exist, or you do not have access to it.", "此页面不存在，或你没有访问权限。", "此頁面不存在，或你沒有存取權限。";
    BackHome => "Back to the dashboard", "返回控制台", "返回控制台";

    // Errors
    ErrUnauthenticated => "You need to sign in first.", "请先登录。", "請先登入。";
    ErrForbidden => "Your role in this workspace does not allow that.", "你在此工作区的角色无权执行此操作。", "你在此工作區的角色無權執行此操作。";
    ErrNotFound => "Not found.", "未找到。", "找不到。";
    ErrBadCredentials => "The email or password is wrong.", "邮箱或密码错误。", "電子郵件或密碼錯誤。";
    ErrThrottled => "Too many failed sign-in attempts. Try again in {minutes} minutes.", "登录失败次数过多，请在 {minutes} 分钟后重试。", "登入失敗次數過多，請在 {minutes} 分鐘後重試。";
    ErrCrossSite => "This request came from another site and was refused.", "此请求来自其他网站，已被拒绝。", "此請求來自其他網站，已被拒絕。";
    ErrInternal => "Something went wrong on our side. Reference: {reference}", "服务器出现问题。参考编号：{reference}", "伺服器發生問題。參考編號：{reference}";
    ErrTransport => "The server could not be reached. Check your connection and try again.", "无法连接服务器，请检查网络后重试。", "無法連線伺服器，請檢查網路後重試。";
    ErrEmailInvalid => "Enter a valid email address.", "请输入有效的电子邮箱地址。", "請輸入有效的電子郵件地址。";
    ErrPasswordTooShort => "The password must have at least 10 characters.", "密码至少需要 10 个字符。", "密碼至少需要 10 個字元。";
    ErrPasswordTooLong => "The password may have at most 256 characters.", "密码最多 256 个字符。", "密碼最多 256 個字元。";
    ErrNameInvalid => "Enter a name of 1 to 80 characters.", "请输入 1 到 80 个字符的名字。", "請輸入 1 到 80 個字元的名字。";
    ErrWorkspaceNameInvalid => "Enter a workspace name of 1 to 80 characters.", "请输入 1 到 80 个字符的工作区名称。", "請輸入 1 到 80 個字元的工作區名稱。";
    ErrTokenNameInvalid => "Enter a token name of 1 to 60 characters.", "请输入 1 到 60 个字符的令牌名称。", "請輸入 1 到 60 個字元的權杖名稱。";
    ErrRoleInvalid => "Choose one of the roles: owner, admin, approver, editor, viewer.", "请选择一个角色：所有者、管理员、审批人、编辑、查看者。", "請選擇一個角色：擁有者、管理員、審批人、編輯、檢視者。";
    ErrEmailTaken => "An account with this email already exists.", "该邮箱已注册账号。", "該電子郵件已註冊帳號。";
    ErrAlreadySetUp => "This Tongbu is already set up.", "此同步实例已完成设置。", "此同步實例已完成設定。";
    ErrAlreadyMember => "This person is already a member of the workspace.", "此人已是工作区成员。", "此人已是工作區成員。";
    ErrLastOwner => "A workspace needs at least one owner. Make someone else owner first.", "工作区至少需要一位所有者，请先将其他人设为所有者。", "工作區至少需要一位擁有者，請先將其他人設為擁有者。";
    ErrWrongCurrentPassword => "The current password is wrong.", "当前密码不正确。", "目前密碼不正確。";
    ErrCannotChangeOwnRole => "You cannot change or remove your own membership here.", "你不能在此修改或移除自己的成员身份。", "你不能在此變更或移除自己的成員身分。";
    ErrInvitationInvalid => "This invitation is invalid, was already used or has expired.", "此邀请无效、已被使用或已过期。", "此邀請無效、已被使用或已過期。";
    ErrInvalidBody => "The request body is not valid for this route.", "请求内容对此接口无效。", "請求內容對此介面無效。";
    ErrInvitationOtherAccount => "This invitation was sent to a different email address than the account you are signed in with.", "此邀请发送给的邮箱与你当前登录的账号不同。", "此邀請傳送給的電子郵件與你目前登入的帳號不同。";
}
